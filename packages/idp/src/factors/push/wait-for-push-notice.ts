import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OpenEventStream } from '../../http/server-sent-events.ts';
import type { PushNotice, PushNotifier, PushTopic } from './push-notifier.ts';

/** A waiting page's event stream, opened once what the page waits on has been read. */
export interface PushNoticeWait<T> {
  /** What `read` returned. */
  state: T;
  /** A waking notice arrived while the store was read: wake the page now. */
  wokenEarly: boolean;
  /** Sends the page its one `changed` event and ends the stream. */
  wake(): void;
  /** Runs when the stream ends (the page left, or it was woken). */
  onClose(listener: () => void): void;
}

/**
 * Opens the event stream of a page waiting on `topic` (a sign-in, a password reset, a device being
 * added). The subscription comes before `read`, so a notice published in between is not missed; the
 * stream opens only after `read`, so while Redis or the database is down the page gets a 503, not a
 * stream with nothing ever to wake it. A notice `wakes` accepts ends the stream with one `changed`
 * event; `notices.interrupted` (notices may have been missed) ends it without one, and the page's
 * EventSource connects again by itself, reading where things stand.
 */
export async function waitForPushNotice<T>(options: {
  notifier: Pick<PushNotifier, 'subscribe'>;
  topic: PushTopic;
  wakes: (notice: PushNotice) => boolean;
  read: () => Promise<T>;
  openStream: OpenEventStream;
  request: FastifyRequest;
  reply: FastifyReply;
}): Promise<PushNoticeWait<T>> {
  let wokenEarly = false;
  let wake = () => {
    wokenEarly = true;
  };
  let interrupt = wake;
  const unsubscribe = await options.notifier.subscribe(options.topic, (notice) => {
    if (notice.type === 'notices.interrupted') interrupt();
    else if (options.wakes(notice)) wake();
  });
  let state: T;
  try {
    state = await options.read();
  } catch (error) {
    unsubscribe();
    throw error;
  }
  const stream = options.openStream(options.request, options.reply);
  stream.onClose(unsubscribe);
  wake = () => {
    stream.send('changed', {});
    stream.close();
  };
  interrupt = () => stream.close();
  return { state, wokenEarly, wake, onClose: (listener) => stream.onClose(listener) };
}

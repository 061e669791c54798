import { javascript } from '@codemirror/lang-javascript';
import { basicSetup, EditorView } from 'codemirror';

/** The nonce the page was served with for `<style>` elements (see dashboard-content-security-policy.ts). */
function styleNonce(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="stepup-style-nonce"]')?.content ?? '';
}

/** A JavaScript editor for an Action's code. */
export interface CodeEditor {
  element: HTMLElement;
  code(): string;
  setCode(code: string): void;
  /** True when the text differs from the last `markSaved`. */
  changed(): boolean;
  markSaved(): void;
}

/**
 * CodeMirror 6 with JavaScript highlighting for an Action. Tab is left to the browser (basicSetup does
 * not bind it), so keyboard users can move past the editor; the content carries an accessible name.
 */
export function createCodeEditor(options: {
  code: string;
  label: string;
  onChange?: () => void;
}): CodeEditor {
  let saved = options.code;
  const element = document.createElement('div');
  element.className = 'code-editor';
  const view = new EditorView({
    doc: options.code,
    parent: element,
    extensions: [
      basicSetup,
      javascript(),
      EditorView.cspNonce.of(styleNonce()),
      EditorView.contentAttributes.of({ 'aria-label': options.label }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) options.onChange?.();
      }),
    ],
  });
  return {
    element,
    code: () => view.state.doc.toString(),
    setCode(code) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } });
    },
    changed: () => view.state.doc.toString() !== saved,
    markSaved() {
      saved = view.state.doc.toString();
    },
  };
}

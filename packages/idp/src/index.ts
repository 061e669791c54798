/**
 * `@stepup/idp`: the OpenID provider. Most people run it with `stepup-idp start`; these exports
 * embed it in a process of your own.
 *
 * @example
 * ```ts
 * import { createStepupProvider, loadConfig } from '@stepup/idp';
 *
 * const stepup = await createStepupProvider(loadConfig());
 * console.log(`listening on ${await stepup.listen()}`);
 * ```
 */
export { configSchema, type StepupConfig, type StepupConfigInput } from './config/config-schema.ts';
export { ConfigError, loadConfig } from './config/load-config.ts';
export { createStepupProvider, type StepupProvider, type StepupProviderOptions } from './stepup-provider.ts';

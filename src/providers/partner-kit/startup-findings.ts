/**
 * What a provider's start-up check found about its real server. Errors mean no store can be
 * created as things stand; warnings mean stores work but something deserves the operator's eye.
 * Messages never contain credentials.
 */
export interface StartupFindings {
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

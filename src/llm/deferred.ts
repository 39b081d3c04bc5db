import type { JsonRequest, JsonResult, LlmClient, StreamRequest, StreamResult } from './types.js';

/**
 * A narrator whose implementation is imported on first use, or on `warm()`. The openai SDK takes
 * about 100 ms to import, which the login screen should not wait for.
 */
export class DeferredLlm implements LlmClient {
  readonly offline = false;
  private loading: Promise<LlmClient> | undefined;

  constructor(
    readonly label: string,
    private readonly load: () => Promise<LlmClient>,
  ) {}

  warm(): void {
    this.client().catch(() => {
      // The first request loads again and reports a failure.
    });
  }

  async stream(request: StreamRequest): Promise<StreamResult> {
    return (await this.client()).stream(request);
  }

  async json<T>(request: JsonRequest<T>): Promise<JsonResult<T>> {
    return (await this.client()).json(request);
  }

  /** A load that failed is tried again by the next request. */
  private client(): Promise<LlmClient> {
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }
}

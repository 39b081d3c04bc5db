export type ProbeResult = { ok: true; status: number; models: string[] } | { ok: false; status: number | null; reason: string };

/** Asks an OpenAI-compatible endpoint for its models: does it answer, and does it accept the key? */
export async function probeEndpoint(baseUrl: string, apiKey: string | undefined, timeoutMs = 5000): Promise<ProbeResult> {
  const url = `${baseUrl.replace(/\/+$/, '')}/models`;
  try {
    const response = await fetch(url, { headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {}, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return { ok: false, status: response.status, reason: `HTTP ${response.status} ${response.statusText}`.trim() };
    const body = (await response.json().catch(() => ({}))) as { data?: Array<{ id?: unknown }> };
    return { ok: true, status: response.status, models: (body.data ?? []).map((m) => String(m.id ?? '')).filter(Boolean) };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason =
      (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (cause?.code ?? cause?.message ?? (error as Error).message);
    return { ok: false, status: null, reason };
  }
}

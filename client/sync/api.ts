// The one HTTP client of the app: JSON in and out, errors as ApiError with the server's code.
export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown[],
  ) {
    super(message);
  }
}

/** The network failed (offline, DNS, connection dropped): the request may or may not have reached the server. */
export class NetworkError extends Error {}

export interface RequestOptions {
  method?: string;
  token?: string;
  body?: unknown;
  signal?: AbortSignal;
  /** 'blob': the answer is a file (a photo), returned as a Blob; errors are still the JSON shape. */
  as?: 'json' | 'blob';
  /** Answer the Response itself (a stream, a download) instead of parsed JSON; an error status still throws. */
  raw?: boolean | 'keep-401';
  accept?: string;
}

/** The ApiError of a failed response (the JSON error shape, or the bare status). */
export async function errorOf(res: Response): Promise<ApiError> {
  let e: { code?: string; message?: string; details?: unknown[] } = {};
  try {
    e = (JSON.parse(await res.text()) as { error?: typeof e })?.error ?? {};
  } catch {
    // not JSON: the status says it
  }
  return new ApiError(res.status, e.code ?? 'http_error', e.message ?? `The server answered ${res.status}.`, e.details);
}

export async function apiRequest<T>(fetchFn: FetchFn, baseUrl: string, path: string, o: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: o.accept ?? 'application/json' };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  // A FormData body (a file upload) goes as multipart with the boundary the browser sets.
  const form = typeof FormData !== 'undefined' && o.body instanceof FormData;
  if (o.body !== undefined && !form) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetchFn(baseUrl + path, {
      method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
      headers,
      body: o.body === undefined ? undefined : form ? (o.body as FormData) : JSON.stringify(o.body),
      signal: o.signal,
      cache: 'no-store',
    });
  } catch (err) {
    throw new NetworkError(err instanceof Error ? err.message : 'network error');
  }
  if (res.status === 204) return undefined as T;
  if (o.as === 'blob' && res.ok) return (await res.blob()) as T;
  if (o.raw) {
    if (res.ok || (res.status === 401 && o.raw === 'keep-401')) return res as T;
    throw await errorOf(res);
  }
  const text = await res.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, res.ok ? 'bad_response' : 'http_error', `The server answered ${res.status} with something that is not JSON.`);
  }
  if (!res.ok) {
    const e = data?.error ?? {};
    throw new ApiError(res.status, e.code ?? 'http_error', e.message ?? `The server answered ${res.status}.`, e.details);
  }
  return data as T;
}

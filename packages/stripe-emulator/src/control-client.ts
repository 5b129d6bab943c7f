// A small client for the emulator's control API (/_emulator/...): reset, clock, webhook endpoints,
// deliveries, faults. JSON in, JSON out, no authentication, as the control API itself.

export function controlClient(emulatorUrl: string) {
  const call = async <T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${emulatorUrl}/_emulator${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  return {
    get: <T = Record<string, unknown>>(path: string) => call<T>('GET', path),
    post: <T = Record<string, unknown>>(path: string, body: unknown = {}) =>
      call<T>('POST', path, body),
    delete: <T = Record<string, unknown>>(path: string) => call<T>('DELETE', path),
  };
}

/** What controlClient returns. */
export type ControlClient = ReturnType<typeof controlClient>;

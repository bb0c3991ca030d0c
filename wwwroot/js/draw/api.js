// The drawing page's requests to the API: JSON in and out, and one reading of a failure. A failed
// answer is application/problem+json whose title says what went wrong; problemText is what the page
// shows of it, wherever the failure lands.

const UNREACHABLE = "The server could not be reached; check your connection.";

/** { ok, status, body }: body is the JSON answer ({} when it has none); a network failure is status 0. */
async function request(path, init = {}) {
  try {
    const response = await fetch(path, { ...init, headers: { Accept: "application/json", ...init.headers } });
    const body = await response.json().catch(() => ({}));
    return { ok: response.ok, status: response.status, body };
  } catch {
    return { ok: false, status: 0, body: {} };
  }
}

export const getJson = (path) => request(path);

export const postJson = (path, data) =>
  request(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) });

/** What the visitor reads about a failed answer: the problem's title, else the status, else that the server is out of reach. */
export const problemText = ({ status, body }) => body.title || (status ? `The server answered ${status}.` : UNREACHABLE);

// The admin API from the page: the sign-in cookie plus the page's antiforgery token; a 401 sends
// the admin back to the sign-in page.
const antiforgery = document.querySelector("#logout-form input[name=__RequestVerificationToken]").value;

export const signInUrl = "/login?ReturnUrl=%2Fadmin";

export async function api(method, url, body) {
  const headers = { "RequestVerificationToken": antiforgery };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  if (response.status === 401) { location.href = signInUrl; throw new Error("signed out"); }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error((data && data.title) || response.statusText);
    error.problem = data;
    throw error;
  }
  return data;
}

/** Whether the admin session still holds: false only on a 401 (a server that cannot be reached may come back). */
export async function signedIn() {
  try {
    const response = await fetch("/api/training?limit=1", { credentials: "same-origin", headers: { "Accept": "application/json" } });
    return response.status !== 401;
  } catch {
    return true;
  }
}

/** Tells the admin the session has ended (sign-out elsewhere, expiry, a new admin token) and how to get back. */
export function showSignedOut() {
  const notice = document.getElementById("signed-out");
  notice.hidden = false;
  document.body.dataset.signedOut = "true";
}

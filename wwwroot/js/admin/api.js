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

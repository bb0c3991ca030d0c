// The colour theme: the system's (prefers-color-scheme) until the visitor picks light or dark with the
// header's toggle; the pick is kept in localStorage, and dropped again when it matches the system.
// A classic script in <head> (the Content-Security-Policy allows no inline script): it runs before the
// first paint, so a stored pick shows no flash of the other theme. It sets data-theme on <html> to
// the pick (which overrides color-scheme in site.css) and data-scheme to the theme in force, and
// fires "themechange" on document whenever that may have changed, for the canvases and charts.
(() => {
  const KEY = "theme";
  const root = document.documentElement;
  const system = matchMedia("(prefers-color-scheme: dark)");
  const systemScheme = () => (system.matches ? "dark" : "light");

  function stored() {
    try {
      const value = localStorage.getItem(KEY);
      return value === "light" || value === "dark" ? value : null;
    } catch {
      return null; // storage blocked: follow the system
    }
  }

  function apply() {
    const picked = stored();
    if (picked) root.dataset.theme = picked;
    else delete root.dataset.theme;
    const scheme = picked ?? systemScheme();
    root.dataset.scheme = scheme;
    document.getElementById("theme-toggle")?.setAttribute("aria-pressed", String(scheme === "dark"));
    document.dispatchEvent(new CustomEvent("themechange", { detail: scheme }));
  }

  function pick(scheme) {
    try {
      if (scheme === systemScheme()) localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, scheme);
    } catch {
      root.dataset.theme = scheme; // not remembered, but shown
    }
    apply();
  }

  apply();
  system.addEventListener("change", apply);
  addEventListener("storage", (event) => { if (event.key === KEY) apply(); });
  document.addEventListener("DOMContentLoaded", () => {
    const toggle = document.getElementById("theme-toggle");
    if (!toggle) return;
    toggle.addEventListener("click", () => pick(root.dataset.scheme === "dark" ? "light" : "dark"));
    toggle.hidden = false;
    apply();
  });
})();

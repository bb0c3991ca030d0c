// The server's vocabulary for this page (network constants, layer titles, run states, poolings per network, recipes),
// rendered into <script type="application/json" id="vocabulary"> so that no script keeps a copy.
export const vocabulary = JSON.parse(document.getElementById("vocabulary").textContent);

// Starts Swagger UI (served from this server by bots/web/routers/docs.py) on the API schema.
// A file rather than an inline script, so /docs keeps the page's Content-Security-Policy.
window.addEventListener("DOMContentLoaded", () => {
  window.SwaggerUIBundle({
    url: "openapi.json",  // relative: right behind a reverse-proxy prefix too
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,  // the default asks an online validator
  });
});

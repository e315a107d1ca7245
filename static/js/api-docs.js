// The API documentation page (templates/api/docs.html): Swagger UI on the served
// OpenAPI schema. A file, not an inline script, so the Content-Security-Policy holds.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    layout: "BaseLayout",
    // Ask for the token once ("Authorize"); it stays in this tab only.
    persistAuthorization: false,
    tryItOutEnabled: false,
    presets: [window.SwaggerUIBundle.presets.apis],
  });
})();

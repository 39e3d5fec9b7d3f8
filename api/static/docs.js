// Swagger UI over this API's own OpenAPI document (no inline script: the page's CSP allows none).
window.addEventListener("load", function () {
  var target = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: target.getAttribute("data-spec"),
    domNode: target,
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 1,
    validatorUrl: null,
    tryItOutEnabled: false
  });
});

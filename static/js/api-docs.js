// The API documentation page: Swagger UI over the OpenAPI document, with
// nothing fetched from elsewhere (no online validator badge).
(function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.dataset.spec, domNode: root, validatorUrl: null });
})();

// 接口文档: Swagger UI from the bundled copy, on this server's own OpenAPI document (works offline).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout",
    requestInterceptor: function (req) {  // the page's own login: send its CSRF token on writes
      var meta = document.querySelector("meta[name=csrf-token]");
      if (meta) { req.headers["X-CSRF-Token"] = meta.content; }
      return req;
    },
  });
});

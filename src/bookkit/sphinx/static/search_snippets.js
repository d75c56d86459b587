// search_snippets (bookkit.sphinx.search_snippets): Sphinx's search fetches each
// result's page to cut a snippet from it. Answer those requests from the page
// texts bundled in search_pages.js: this works on a site opened from disk
// (file://, where fetch() is refused) and shows math as readable text.
(() => {
  const pages = window.GAUSSML_SEARCH_PAGES || {};
  const originalFetch = window.fetch.bind(window);
  window.fetch = (resource, options) => {
    const root = new URL(document.documentElement.dataset.content_root || "./", location.href);
    const url = new URL(typeof resource === "string" ? resource : resource.url, location.href);
    const path = url.href.startsWith(root.href)
      ? url.href.slice(root.href.length).split("#")[0]
      : null;
    if (path !== null && Object.prototype.hasOwnProperty.call(pages, path)) {
      return Promise.resolve(
        new Response(pages[path], { headers: { "Content-Type": "text/html" } })
      );
    }
    return originalFetch(resource, options);
  };
})();

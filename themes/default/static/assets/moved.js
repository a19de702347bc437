// An old link to an entry of a list that has been split since
// (sources/#src-anand2023, faq/#faq-is-it-safe) goes on to the page the
// entry is on now. Only an address with a `#id` loads the list's map,
// assets/moved/<list>.js (megabytes for a large site's FAQ), which calls
// sbMoved with the map from old ids to root-relative links.
(function () {
  var me = document.currentScript;
  var id = decodeURIComponent(location.hash.slice(1));
  if (!id || !me) return;
  window.sbMoved = function (map) {
    if (Object.prototype.hasOwnProperty.call(map, id)) location.replace(me.dataset.root + map[id]);
  };
  var data = document.createElement('script');
  data.src = me.dataset.map;
  document.head.appendChild(data);
})();

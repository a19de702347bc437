// An old link to an entry of a list that has been split since
// (sources/#src-anand2023, faq/#faq-is-it-safe) goes on to the page the
// entry is on now. The list's data script, assets/moved/<list>.js, calls
// this with the site's root and the map from old ids to root-relative links.
window.sbMoved = function (root, map) {
  var id = decodeURIComponent(location.hash.slice(1));
  if (id && Object.prototype.hasOwnProperty.call(map, id)) location.replace(root + map[id]);
};

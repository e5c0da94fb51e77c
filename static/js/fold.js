// Progressive enhancement: on a phone the filter forms (<details class="filter-fold" open>)
// start folded, so the results come first. Without JavaScript they simply stay open.
(function () {
    if (!window.matchMedia || !window.matchMedia("(max-width: 40rem)").matches) {
        return;
    }
    document.querySelectorAll("details.filter-fold").forEach(function (fold) {
        if (!fold.querySelector(".errorlist")) {
            fold.open = false;
        }
    });
})();

/* Serve dcc.Graph a partial plotly.js instead of the full plotly.min.js (4.8 MB, 1.44 MB compressed) Dash would fetch.

   The bundle, vendor/plotly-<version>-sdg87.min.js, holds only the trace types the dashboard draws (scatter, bar,
   choropleth); tools/plotly_bundle/build.sh builds it. dashboard/app.py keeps vendor/ out of the page's <script> tags
   (assets_path_ignore), so pages without a chart (/data, /methodology, /country) load no plotly.js at all.

   dcc.Graph (Dash 4) draws after `Promise.resolve(window.Plotly || <load the full plotly.min.js>)`. Here window.Plotly
   is a thenable: the first graph that awaits it makes this script load the bundle, whose `var Plotly` then replaces
   the thenable with the library. Checked in Chromium by tests/browser/test_plotly_bundle.py (after a Dash upgrade:
   no request for plotly.min.js, every trace type drawn).
*/
(function () {
    'use strict';
    if (window.Plotly) {
        return; // a plotly.js already on the page is used as it is
    }
    // Rewritten by tools/plotly_bundle/build.mjs: file name and the first 12 hex digits of its sha256 (cache key).
    var BUNDLE = 'vendor/plotly-4.1.1-sdg87.min.js?v=c5418bff7b5e';
    var src = new URL(BUNDLE, document.currentScript.src).href;
    var loading = null;

    function load() {
        return new Promise(function (resolve, reject) {
            var script = document.createElement('script');
            script.src = src;
            script.onload = function () {
                if (window.Plotly && typeof window.Plotly.react === 'function') {
                    resolve();
                } else {
                    reject(new Error('plotly.js bundle did not define Plotly: ' + src));
                }
            };
            script.onerror = function () {
                loading = null; // the next graph tries again
                reject(new Error('plotly.js bundle did not load: ' + src));
            };
            document.head.appendChild(script);
        });
    }

    window.Plotly = {
        then: function (onLoaded, onFailed) {
            loading = loading || load();
            return loading.then(onLoaded, onFailed);
        }
    };
})();

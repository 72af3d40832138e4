package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/emsd/emsd/internal/reference"
)

// FuzzAPIPath: no path or query makes the API panic or answer 500.
func FuzzAPIPath(f *testing.F) {
	for _, p := range []string{"/api", "/api/boiler", "/api/thermostat/hc1/seltemp/value", "/api/system/bus/busStatus",
		"/api/thermostat/hc2./metrics", "//api//boiler//dhw.comfort/enum", "/api/system/entities", "/api/boiler/commands",
		"/api/thermostat/hc9/metrics", "/api/boiler/.", "/api/.hc1", "/api/system/metrics?x=1"} {
		f.Add("GET", p)
	}
	f.Add("POST", "/api/boiler/seltemp")
	gw, srv := newGateway(f)
	feedHexFile(f, gw, filepath.Join(reference.Dir(f), "perf-installation.txt"))
	h := srv.Config.Handler
	f.Fuzz(func(t *testing.T, method, path string) {
		u, err := url.Parse(path)
		if err != nil || method == "" {
			return
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Method, req.URL = method, u
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %q: %d %s", method, path, w.Code, w.Body)
		}
	})
}

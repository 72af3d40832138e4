package httpapi

import (
	"net/http"
	"net/url"
	"strings"
)

// Probe answers the multi-target pattern of the Prometheus ecosystem for
// bridged gateways: /probe?target=NAME&device=boiler is that gateway's
// /api/boiler/metrics (device=system for its system metrics).
func Probe(servers map[string]*Server) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		target, device := q.Get("target"), q.Get("device")
		s := servers[target]
		switch {
		case s == nil:
			writeError(w, http.StatusNotFound, "unknown target "+target)
			return
		case device == "" || strings.ContainsAny(device, "/?#"):
			writeError(w, http.StatusBadRequest, "probe needs ?target=NAME&device=DEVICE")
			return
		}
		inner := r.Clone(r.Context())
		inner.URL = &url.URL{Path: "/api/" + device + "/metrics"}
		s.Handler().ServeHTTP(w, inner)
	}
}

// writeError answers {"message": msg} without counting an API call.
func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	w.Write(appendJSONString([]byte(`{"message":`), msg))
	w.Write([]byte("}"))
}

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

const dashboardFile = "../contrib/grafana/emsd.json"

// dashboard is the part of a Grafana dashboard model the tests look at.
type dashboard struct {
	Title      string  `json:"title"`
	UID        string  `json:"uid"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []variable `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID         int                      `json:"id"`
	Type       string                   `json:"type"`
	Title      string                   `json:"title"`
	Repeat     string                   `json:"repeat"`
	Datasource *datasourceRef           `json:"datasource"`
	GridPos    struct{ X, Y, W, H int } `json:"gridPos"`
	Targets    []panelTarget            `json:"targets"`
	Panels     []panel                  `json:"panels"` // a collapsed row's panels
}

type panelTarget struct {
	RefID      string         `json:"refId"`
	Expr       string         `json:"expr"`
	Datasource *datasourceRef `json:"datasource"`
}

type datasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type variable struct {
	Name       string `json:"name"`
	Type       string `json:"type"`
	Query      any    `json:"query"` // a string, or an object with a query field
	Regex      string `json:"regex"`
	IncludeAll bool   `json:"includeAll"`
	AllValue   string `json:"allValue"`
}

// queryText is the PromQL (or label_values call) of a query variable.
func (v variable) queryText() string {
	switch q := v.Query.(type) {
	case string:
		return q
	case map[string]any:
		s, _ := q["query"].(string)
		return s
	}
	return ""
}

// dashExpr is one PromQL expression of the dashboard and where it stands.
type dashExpr struct {
	where string // panel title and refId
	expr  string
}

func loadDashboard(t *testing.T) (dashboard, []dashExpr) {
	t.Helper()
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	var exprs []dashExpr
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			for _, tg := range p.Targets {
				exprs = append(exprs, dashExpr{fmt.Sprintf("panel %q %s", p.Title, tg.RefID), tg.Expr})
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return d, exprs
}

// varRef finds Grafana variable references: $name, ${name} and ${name:format}.
var varRef = regexp.MustCompile(`\$\{(\w+)(?::\w+)?\}|\$(\w+)`)

// builtins are Grafana's own variables with values that fit a short test.
var builtins = map[string]string{
	"__rate_interval": "1m",
	"__interval":      "15s",
	"__interval_ms":   "15000",
	"__range":         "5m",
	"__range_s":       "300",
	"__range_ms":      "300000",
}

// substitute replaces every variable reference; it reports names it has no
// value for.
func substitute(expr string, vars map[string]string) (string, []string) {
	var unknown []string
	out := varRef.ReplaceAllStringFunc(expr, func(m string) string {
		sub := varRef.FindStringSubmatch(m)
		name := sub[1] + sub[2]
		if v, ok := vars[name]; ok {
			return v
		}
		if v, ok := builtins[name]; ok {
			return v
		}
		unknown = append(unknown, name)
		return m
	})
	return out, unknown
}

// TestGrafanaDashboardModel checks the dashboard's structure without a
// server: a Prometheus data source variable used by every panel and query,
// unique panel ids, a layout inside the 24-column grid, and PromQL that
// refers only to variables the dashboard defines.
func TestGrafanaDashboardModel(t *testing.T) {
	d, exprs := loadDashboard(t)
	if d.Title == "" || d.UID == "" {
		t.Error("dashboard needs a title and a uid")
	}
	vars := map[string]variable{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v
	}
	if ds, ok := vars["datasource"]; !ok || ds.Type != "datasource" || ds.queryText() != "prometheus" {
		t.Errorf("no Prometheus data source variable: %+v", ds)
	}
	for _, name := range []string{"job", "instance", "circuit"} {
		if v, ok := vars[name]; !ok || v.Type != "query" {
			t.Errorf("no query variable %q", name)
		}
	}
	repeated := false
	ids := map[int]string{}
	var check func([]panel)
	check = func(ps []panel) {
		for _, p := range ps {
			if prev, dup := ids[p.ID]; dup {
				t.Errorf("panel id %d used by %q and %q", p.ID, prev, p.Title)
			}
			ids[p.ID] = p.Title
			if g := p.GridPos; g.W <= 0 || g.H <= 0 || g.X < 0 || g.X+g.W > 24 {
				t.Errorf("panel %q: gridPos %+v outside the grid", p.Title, g)
			}
			if p.Repeat != "" {
				repeated = true
				if _, ok := vars[p.Repeat]; !ok {
					t.Errorf("panel %q repeats over undefined variable %q", p.Title, p.Repeat)
				}
			}
			if p.Type != "row" {
				if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
					t.Errorf("panel %q does not use the data source variable: %+v", p.Title, p.Datasource)
				}
				if len(p.Targets) == 0 {
					t.Errorf("panel %q has no query", p.Title)
				}
			}
			refs := map[string]bool{}
			for _, tg := range p.Targets {
				if tg.RefID == "" || refs[tg.RefID] {
					t.Errorf("panel %q: missing or repeated refId %q", p.Title, tg.RefID)
				}
				refs[tg.RefID] = true
				if tg.Datasource != nil && tg.Datasource.UID != "${datasource}" {
					t.Errorf("panel %q %s: data source %+v", p.Title, tg.RefID, tg.Datasource)
				}
				if strings.TrimSpace(tg.Expr) == "" {
					t.Errorf("panel %q %s: empty expression", p.Title, tg.RefID)
				}
			}
			check(p.Panels)
		}
	}
	check(d.Panels)
	if !repeated {
		t.Error("no panel repeats over the heating circuits")
	}
	defined := map[string]string{}
	for name := range vars {
		defined[name] = "x"
	}
	for _, e := range exprs {
		if _, unknown := substitute(e.expr, defined); len(unknown) > 0 {
			t.Errorf("%s: undefined variables %v in %s", e.where, unknown, e.expr)
		}
	}
	for _, v := range d.Templating.List {
		if _, unknown := substitute(v.queryText(), defined); len(unknown) > 0 {
			t.Errorf("variable %s: undefined variables %v", v.Name, unknown)
		}
	}
	// Every section the dashboard promises, by a metric it must graph.
	all := ""
	for _, e := range exprs {
		all += e.expr + "\n"
	}
	for _, m := range []string{"emsesp_curflowtemp", "emsesp_rettemp", "emsesp_burngas", "emsesp_heatingactive",
		"emsesp_curburnpow", "emsesp_syspress", "emsesp_burnstarts", "emsesp_burnworkmin", "emsesp_charging",
		"emsesp_tapwateractive", "emsesp_starts", "emsesp_seltemp", "emsesp_currtemp", "emsesp_targetflowtemp",
		"emsesp_flowtemphc", "emsesp_valvestatus", "emsesp_collectortemp", "emsesp_cylbottomtemp",
		"emsesp_solarpumpmod", "emsesp_energytotal", "emsesp_bus_bustelegramsreceived",
		"emsesp_bus_busincompletetelegrams", "emsesp_bus_busreadsfailed", "emsesp_bus_busrxlinequality",
		"emsesp_bus_bustxlinequality", "emsd_bus_up", "emsd_device_last_telegram_seconds"} {
		if !regexp.MustCompile(`\b` + m + `\b`).MatchString(all) {
			t.Errorf("the dashboard does not graph %s", m)
		}
	}
	t.Logf("%d panels, %d expressions", len(ids), len(exprs))
}

// promResult is an answer of Prometheus's HTTP API.
type promResult struct {
	Status    string          `json:"status"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Data      json.RawMessage `json:"data"`
}

func promGet(api, path string, params url.Values) (promResult, error) {
	var r promResult
	resp, err := http.Get(api + path + "?" + params.Encode())
	if err != nil {
		return r, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return r, fmt.Errorf("HTTP %d: %v: %s", resp.StatusCode, err, body)
	}
	return r, nil
}

// instantQuery runs an expression; it returns the number of series or
// samples in the result, or the error Prometheus gave.
func instantQuery(api, q string) (int, error) {
	r, err := promGet(api, "/api/v1/query", url.Values{"query": {q}})
	if err != nil {
		return 0, err
	}
	if r.Status != "success" {
		return 0, fmt.Errorf("%s: %s", r.ErrorType, r.Error)
	}
	var data struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		return 0, err
	}
	if data.ResultType != "vector" && data.ResultType != "matrix" {
		return 1, nil // a scalar or string always has a value
	}
	var list []json.RawMessage
	if err := json.Unmarshal(data.Result, &list); err != nil {
		return 0, err
	}
	return len(list), nil
}

var labelValuesCall = regexp.MustCompile(`^\s*label_values\((.*),\s*(\w+)\s*\)\s*$`)

// labelValues answers a query variable's label_values(selector, label) the
// way Grafana does, through the series API, and applies the variable's
// regex.
func labelValues(t *testing.T, api string, v variable, vars map[string]string) []string {
	t.Helper()
	q, unknown := substitute(v.queryText(), vars)
	if len(unknown) > 0 {
		t.Fatalf("variable %s: no values for %v", v.Name, unknown)
	}
	m := labelValuesCall.FindStringSubmatch(q)
	if m == nil {
		t.Fatalf("variable %s: not a label_values(selector, label) query: %s", v.Name, q)
	}
	r, err := promGet(api, "/api/v1/series", url.Values{"match[]": {m[1]}, "start": {fmt.Sprint(time.Now().Add(-5 * time.Minute).Unix())}})
	if err != nil || r.Status != "success" {
		t.Fatalf("variable %s: %s: %v %s", v.Name, m[1], err, r.Error)
	}
	var series []map[string]string
	if err := json.Unmarshal(r.Data, &series); err != nil {
		t.Fatal(err)
	}
	var re *regexp.Regexp
	if v.Regex != "" {
		re = regexp.MustCompile(strings.TrimSuffix(strings.TrimPrefix(v.Regex, "/"), "/"))
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range series {
		val, ok := s[m[2]]
		if !ok || seen[val] || (re != nil && !re.MatchString(val)) {
			continue
		}
		seen[val] = true
		out = append(out, val)
	}
	sort.Strings(out)
	return out
}

// TestGrafanaDashboardQueries runs every expression of the dashboard
// against the real Prometheus scraping emsd's simulator: each must parse
// and return data. Prometheus scrapes emsd three ways: the seed's job
// (system, boiler and thermostat), the same relabelling fed by emsd's
// service discovery (every device type), and /metrics in one scrape; the
// dashboard's job variable picks one, and each must fill every panel (with
// the seed's job, all but the mixer and solar panels, which it does not
// scrape).
func TestGrafanaDashboardQueries(t *testing.T) {
	t.Parallel() // mostly waiting for scrapes: the Prometheus tests overlap
	if testing.Short() {
		t.Skip("takes a few scrape intervals")
	}
	prometheus := tool(t, "prometheus")
	d, exprs := loadDashboard(t)
	seed := seedConfig(t)
	for _, s := range []string{"127.0.0.1:9797", "scrape_interval: 15s"} {
		if !bytes.Contains(seed, []byte(s)) {
			t.Fatalf("the seed configuration no longer contains %q", s)
		}
	}
	addr, promAddr := freeAddr(t), freeAddr(t)
	config := bytes.ReplaceAll(seed, []byte("127.0.0.1:9797"), []byte(addr))
	config = bytes.ReplaceAll(config, []byte("scrape_interval: 15s"), []byte("scrape_interval: 2s"))
	config = append(config, fmt.Sprintf(`
  - job_name: 'emsesp_sd'
    http_sd_configs:
      - url: 'http://%s/prometheus/sd'
        refresh_interval: 5s
    relabel_configs:
      - source_labels: [device]
        target_label: __metrics_path__
        regex: (.*)
        replacement: /api/$1/metrics
  - job_name: 'emsd'
    static_configs:
      - targets: ['%s']
`, addr, addr)...)
	dir := t.TempDir()
	configFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configFile, config, 0o644); err != nil {
		t.Fatal(err)
	}

	start(t, buildEmsd(t), "--web.listen-address="+addr, "--sim.speed=60")
	waitHTTP(t, "http://"+addr+"/api/solar/metrics", 30*time.Second)
	start(t, prometheus, "--config.file="+configFile, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+promAddr)
	api := "http://" + promAddr
	waitHTTP(t, api+"/-/ready", 30*time.Second)

	// Every target (3 of the seed's job, 5 discovered, /metrics) scraped
	// three times, so that rates have samples to work with.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for {
		n, err := instantQuery(api, `count_over_time(up[1m]) >= 3`)
		if err != nil {
			t.Fatal(err)
		}
		if n == 9 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("only %d of 9 targets scraped three times", n)
		}
		time.Sleep(500 * time.Millisecond)
	}

	vars := map[string]variable{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v
	}
	jobs := labelValues(t, api, vars["job"], nil)
	if strings.Join(jobs, ",") != "emsd,emsesp,emsesp_sd" {
		t.Errorf("job variable offers %v, want emsd, emsesp and emsesp_sd", jobs)
	}

	queries := 0
	for _, job := range []string{"emsesp_sd", "emsd", "emsesp"} {
		values := map[string]string{"job": job}
		if got := labelValues(t, api, vars["instance"], values); len(got) != 1 || got[0] != addr {
			t.Errorf("job %s: instance variable offers %v, want %s", job, got, addr)
		}
		values["instance"] = addr
		if got := labelValues(t, api, vars["gateway"], values); len(got) != 0 {
			t.Errorf("job %s: gateway variable offers %v without a bridge", job, got)
		}
		values["gateway"] = vars["gateway"].AllValue // Grafana's "All"
		circuits := labelValues(t, api, vars["circuit"], values)
		if strings.Join(circuits, ",") != "hc1,hc2" {
			t.Errorf("job %s: circuit variable offers %v, want the simulator's hc1 and hc2", job, circuits)
		}
		for _, e := range exprs {
			if job == "emsesp" && (strings.Contains(e.expr, `device="mixer"`) || strings.Contains(e.expr, `device="solar"`)) {
				continue // the seed's job scrapes system, boiler and thermostat only
			}
			each := []string{""}
			if strings.Contains(e.expr, "$circuit") {
				each = circuits // one repeated row per circuit
			}
			for _, c := range each {
				values["circuit"] = c
				q, unknown := substitute(e.expr, values)
				if len(unknown) > 0 {
					t.Errorf("%s: no value for %v", e.where, unknown)
					continue
				}
				queries++
				// Values the devices send only on request may take a few
				// more seconds than the first scrapes: ask until the deadline.
				for {
					n, err := instantQuery(api, q)
					if err != nil {
						t.Errorf("job %s, %s: %s: %v", job, e.where, q, err)
						break
					}
					if n > 0 {
						break
					}
					if ctx.Err() != nil {
						t.Errorf("job %s, %s: no data for %s", job, e.where, q)
						break
					}
					time.Sleep(time.Second)
				}
			}
		}
	}
	t.Logf("%d expressions, %d queries", len(exprs), queries)
}

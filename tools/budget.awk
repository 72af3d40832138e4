# Reads the output of `make bench` and prints the performance budget of
# docs/PERFORMANCE.md, each figure against its limit; exits 1 if one is missed.

function value(line, unit,    i, n, f) {
	n = split(line, f, /[ \t]+/)
	for (i = 2; i <= n; i++) if (f[i] == unit) return f[i-1] + 0
	return -1
}
function check(what, figure, limit, met) {
	printf "  %-52s %-28s %-16s %s\n", what, figure, limit, met ? "met" : "MISSED"
	if (!met) missed++
}
BEGIN {
	path["BoilerMetrics"] = "/api/boiler/metrics"
	path["ThermostatMetrics"] = "/api/thermostat/metrics"
	path["SystemMetrics"] = "/api/system/metrics"
	path["AllMetrics"] = "/metrics (devices, system, emsd, Go, process)"
	path["BoilerJSON"] = "/api/boiler (JSON)"
	path["ThermostatJSON"] = "/api/thermostat (JSON)"
}
{ print }
/^BenchmarkDecode-/                { decode = value($0, "ns/op") }
/^BenchmarkFrame-/                 { frame = value($0, "ns/op") }
/^Benchmark(Boiler|Thermostat|System|All)Metrics-/ {
	name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
	mname[++nm] = name; mns[nm] = value($0, "ns/sample"); mallocs[nm] = value($0, "allocs/op")
}
/^Benchmark(Boiler|Thermostat)JSON-/ {
	name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
	jname[++nj] = name; jns[nj] = value($0, "ns/value")
}
/^BenchmarkRefresh-/               { refresh = value($0, "ns/op"); requests = value($0, "requests/refresh") }
/^BenchmarkLoopbackThermostat-/    { ratio = value($0, "ratio") }
/resident [0-9.]+ MB/              { match($0, /resident [0-9.]+ MB/); rss = substr($0, RSTART + 9, RLENGTH - 12) + 0 }
/^--- PASS: TestNextScrapeSeesTelegram/ { nextscrape = 1 }
END {
	print ""
	print "Budget (docs/PERFORMANCE.md):"
	for (i = 1; i <= nm; i++)
		check(path[mname[i]], sprintf("%.1f ns/sample, %d allocs", mns[i], mallocs[i]), "<= 100, 0 allocs", mns[i] > 0 && mns[i] <= 100 && mallocs[i] == 0)
	for (i = 1; i <= nj; i++)
		check(path[jname[i]], sprintf("%.1f ns/value", jns[i]), "<= 500", jns[i] > 0 && jns[i] <= 500)
	check("decoding one telegram (BenchmarkDecode)", sprintf("%.2f M telegrams/s", 1000 / decode), ">= 2 M/s", decode > 0 && 1000 / decode >= 2)
	if (frame > 0)
		printf "  %-52s %-28s %-16s %s\n", "whole receive path: frame, route, decode, store", sprintf("%.2f M telegrams/s", 1000 / frame), "", "(for reference)"
	if (refresh > 0)
		printf "  %-52s %-28s %-16s %s\n", "bridge: one refresh of a gateway over loopback", sprintf("%.2f ms, %d requests", refresh / 1e6, requests), "", "(for reference)"
	check("loopback /api/thermostat/metrics vs static bytes", sprintf("%.2f", ratio), ">= 0.70", ratio >= 0.7)
	check("resident memory after a minute of scrapes", sprintf("%.1f MB", rss), "<= 20 MB", rss > 0 && rss <= 20)
	check("a decoded value is in the next scrape", nextscrape ? "yes" : "no", "yes", nextscrape)
	if (missed) { print missed " figure(s) missed the budget"; exit 1 }
}

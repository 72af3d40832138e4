package devices

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/emsd/emsd/internal/reference"
)

// coverageFloor is the share of EMS-ESP's catalogue rows that emsd's library
// must define identically. Raise it as the library grows; never lower it.
const coverageFloor = 100.0

// TestCatalogueCoverage compares WriteCatalogue with EMS-ESP's entity
// catalogue: for every row, the same product must define the same entity
// with the same full name, type, options, range, unit and writeability.
func TestCatalogueCoverage(t *testing.T) {
	f, err := os.Open(filepath.Join(reference.Dir(t), "dump_entities.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteCatalogue(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got[0], ",") != strings.Join(want[0][:len(got[0])], ",") {
		t.Fatalf("header %q, want %q", got[0], want[0][:8])
	}
	key := func(r []string) string { return r[1] + "/" + r[2] + "/" + r[3] }
	ours := map[string][]string{}
	for _, r := range got[1:] {
		if ours[key(r)] != nil {
			t.Errorf("row defined twice: %s", key(r))
		}
		ours[key(r)] = r
	}
	type tally struct{ rows, matched int }
	byType := map[string]*tally{}
	var total tally
	var misses []string
	for _, r := range want[1:] {
		tl := byType[r[1]]
		if tl == nil {
			tl = &tally{}
			byType[r[1]] = tl
		}
		tl.rows++
		total.rows++
		o := ours[key(r)]
		switch {
		case o == nil:
			misses = append(misses, "missing "+key(r))
		case strings.Join(o[:8], ",") != strings.Join(r[:8], ","):
			misses = append(misses, fmt.Sprintf("differs %s: %q, want %q", key(r), o[4:8], r[4:8]))
		default:
			tl.matched++
			total.matched++
		}
		delete(ours, key(r))
	}
	var types []string
	for k := range byType {
		types = append(types, k)
	}
	sort.Strings(types)
	for _, k := range types {
		tl := byType[k]
		t.Logf("%-12s %5d of %5d rows (%.1f%%)", k, tl.matched, tl.rows, 100*float64(tl.matched)/float64(tl.rows))
	}
	coverage := 100 * float64(total.matched) / float64(total.rows)
	t.Logf("%-12s %5d of %5d rows (%.1f%%)", "total", total.matched, total.rows, coverage)
	for i, m := range misses {
		if i == 20 {
			t.Logf("... and %d more", len(misses)-20)
			break
		}
		t.Log(m)
	}
	for k := range ours {
		t.Errorf("row EMS-ESP does not have: %s", k)
	}
	if coverage < coverageFloor {
		t.Errorf("coverage %.2f%% is below the floor of %.2f%%", coverage, coverageFloor)
	}
}

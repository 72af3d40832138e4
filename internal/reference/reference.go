// Package reference finds the shared reference material (EMS-ESP's entity
// catalogue and recorded answers) that tests compare emsd against. It lives
// beside the repository, in ../shared/reference, or where EMSD_REFERENCE says.
package reference

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the reference directory. When it cannot be found the test is
// skipped, unless EMSD_REQUIRE_REFERENCE is set (as make test does), in
// which case it fails.
func Dir(tb testing.TB) string {
	tb.Helper()
	if dir := os.Getenv("EMSD_REFERENCE"); dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		candidate := filepath.Join(dir, "..", "shared", "reference")
		if _, err := os.Stat(filepath.Join(candidate, "dump_entities.csv")); err == nil {
			return candidate
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	if os.Getenv("EMSD_REQUIRE_REFERENCE") != "" {
		tb.Fatal("reference material not found: set EMSD_REFERENCE or place shared/ beside the repository")
	}
	tb.Skip("reference material (../shared/reference) not found")
	return ""
}

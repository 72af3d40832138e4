package httpapi

import "testing"

func TestAppendHelpEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"Flow temperature.":     "Flow temperature.",
		"C:\\temp\nsecond line": `C:\\temp\nsecond line`,
		"":                      "",
	} {
		if got := string(appendHelp([]byte("x "), in)); got != "x "+want {
			t.Errorf("appendHelp(%q) = %q, want %q", in, got, "x "+want)
		}
	}
}

package load

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in         string
		wantURL    string
		wantWeight int
		wantErr    string
	}{
		{in: "http://localhost:8080/x", wantURL: "http://localhost:8080/x", wantWeight: 1},
		{in: "https://example.com/a?b=c@3", wantURL: "https://example.com/a?b=c", wantWeight: 3},
		{in: "http://user:pw@host/", wantURL: "http://user:pw@host/", wantWeight: 1},
		{in: "http://user@host/@2", wantURL: "http://user@host/", wantWeight: 2},
		{in: "localhost:8080", wantErr: `invalid URL "localhost:8080": no scheme: did you mean "http://localhost:8080"?`},
		{in: "127.0.0.1:8080", wantErr: `no scheme: did you mean "http://127.0.0.1:8080"?`},
		{in: "example.com/path", wantErr: "no scheme"},
		{in: "bob:s3cret@host:8080/a@b", wantErr: `"bob:xxxxx@host:8080/a@b": no scheme: did you mean "http://bob:xxxxx@host:8080/a@b"?`},
		{in: "http://bob:s3cret@host:99999/", wantErr: `invalid URL "http://bob:xxxxx@host:99999/": port "99999"`},
		{in: "ftp://host/file", wantErr: `scheme "ftp"`},
		{in: "http:///path", wantErr: "no host"},
		{in: "http://host:99999/", wantErr: `port "99999"`},
		{in: "http://host/@0", wantErr: "weight 0 must be 1 or more"},
		{in: "http://[::1/", wantErr: "invalid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			u, w, err := ParseTarget(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.String() != tt.wantURL || w != tt.wantWeight {
				t.Fatalf("got %s @%d, want %s @%d", u, w, tt.wantURL, tt.wantWeight)
			}
		})
	}
}

func TestParseHeader(t *testing.T) {
	tests := []struct {
		in, name, value, wantErr string
	}{
		{in: "Accept: application/json", name: "Accept", value: "application/json"},
		{in: "x-api-key:abc", name: "X-Api-Key", value: "abc"},
		{in: "Empty:", name: "Empty", value: ""},
		{in: "no colon", wantErr: "want \"Name: value\""},
		{in: ": value", wantErr: "want"},
		{in: "Bad Name: x", wantErr: "want"},
	}
	for _, tt := range tests {
		n, v, err := ParseHeader(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseHeader(%q) err = %v", tt.in, err)
			}
			continue
		}
		if err != nil || n != tt.name || v != tt.value {
			t.Errorf("ParseHeader(%q) = %q, %q, %v", tt.in, n, v, err)
		}
	}
}

func TestSchedule(t *testing.T) {
	tests := []struct {
		weights []int
		want    string
	}{
		{[]int{1}, "[0]"},
		{[]int{1, 1}, "[0 1]"},
		{[]int{3, 1}, "[0 0 1 0]"},
		{[]int{5, 1, 1}, "[0 0 1 0 2 0 0]"},
		{[]int{0, 2}, "[1 0 1]"}, // a weight below 1 counts as 1
	}
	for _, tt := range tests {
		reqs := make([]Request, len(tt.weights))
		for i, w := range tt.weights {
			reqs[i].Weight = w
		}
		if got := fmt.Sprint(schedule(reqs)); got != tt.want {
			t.Errorf("schedule(%v) = %s, want %s", tt.weights, got, tt.want)
		}
	}
}

func FuzzParseTarget(f *testing.F) {
	f.Add("http://localhost:8080/x@2")
	f.Fuzz(func(t *testing.T, s string) {
		u, w, err := ParseTarget(s)
		if err == nil && (u == nil || w < 1 || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			t.Fatalf("accepted %q as %v @%d", s, u, w)
		}
	})
}

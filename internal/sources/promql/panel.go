package promql

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Panel is one PromQL query on the dashboard: a title and an expression.
type Panel struct {
	Title string `json:"title"`
	Expr  string `json:"expr"`
}

// ErrEmptyQuery is returned by ParsePanel for a query with no expression.
var ErrEmptyQuery = errors.New("empty query")

// ParsePanel parses the --query flag's form, [title=]expression.
//
// The rule: the string is split on its first '=' only when the part before
// it is a plain title (letters, digits, spaces, '-', '_', '.', '/', not
// blank) and the part after it, trimmed, does not start with '=' (so
// `up == 1` stays one expression). Otherwise the whole string is the expression, and it is
// its own title. PromQL never has a bare '=' after such a prefix: label
// matchers sit inside braces, and comparisons are '==', '!=', '>=', '<='.
// Title and expression are trimmed of surrounding spaces.
//
//	p99=histogram_quantile(0.99, sum by (le) (rate(x_bucket[1m])))  title "p99"
//	rate(x{a="b"}[1m])                                             its own title
//	up == 1                                                        its own title
func ParsePanel(s string) (Panel, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Panel{}, ErrEmptyQuery
	}
	if s[0] == '=' {
		return Panel{}, fmt.Errorf("query %q: empty title before '='", s)
	}
	if i := strings.IndexByte(s, '='); i > 0 {
		title, expr := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
		if isTitle(title) && !strings.HasPrefix(expr, "=") {
			if expr == "" {
				return Panel{}, fmt.Errorf("query %q: %w after the title", s, ErrEmptyQuery)
			}
			return Panel{Title: title, Expr: expr}, nil
		}
	}
	return Panel{Title: s, Expr: s}, nil
}

// isTitle reports whether s is a plain title: not blank, and only letters,
// digits, spaces, '-', '_', '.' and '/'.
func isTitle(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == ' ', r == '-', r == '_', r == '.', r == '/':
		default:
			return false
		}
	}
	return true
}

// String returns the panel in the form ParsePanel reads.
func (p Panel) String() string {
	if p.Title == "" || p.Title == p.Expr {
		return p.Expr
	}
	return p.Title + "=" + p.Expr
}

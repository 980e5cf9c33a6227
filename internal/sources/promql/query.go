package promql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/perftop/perftop/internal/printable"
)

// Snapshot is one panel's value at one moment, as `perftop snapshot`
// prints it. Its JSON field names are a stable interface.
type Snapshot struct {
	Title    string   `json:"title"`
	Expr     string   `json:"expr"`
	Series   []Sample `json:"series"`
	Error    string   `json:"error,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// Sample is one series' latest value.
type Sample struct {
	// Name is the series in PromQL's notation, as Series.Labels.
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels"`
	Value  Value             `json:"value"`
	Time   time.Time         `json:"time"`
}

// Value is a sample value whose JSON form is a number when finite and
// the string "NaN", "+Inf" or "-Inf" otherwise, which JSON numbers
// cannot express.
type Value float64

// MarshalJSON writes v as a number, or a string when v is not finite.
func (v Value) MarshalJSON() ([]byte, error) {
	f := float64(v)
	switch {
	case math.IsNaN(f):
		return []byte(`"NaN"`), nil
	case math.IsInf(f, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (v *Value) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("sample value %q: %w", s, err)
		}
		*v = Value(f)
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("sample value: %w", err)
	}
	*v = Value(f)
	return nil
}

// Query runs every panel once as an instant query at at (now when zero)
// and returns, per panel, every series with its latest value, sorted by
// name. A panel the server refuses carries its error and does not stop
// the others. The error is non-nil only when the server could not be asked
// at all (an *Error with Down set); the snapshots then all carry it too.
func Query(ctx context.Context, c *Client, panels []Panel, at time.Time) ([]Snapshot, error) {
	out := make([]Snapshot, len(panels))
	var down *Error
	for i, p := range panels {
		out[i] = Snapshot{Title: p.Title, Expr: p.Expr, Series: []Sample{}}
		if down != nil {
			out[i].Error = down.Msg
			continue
		}
		err := c.snapshot(ctx, p, at, &out[i])
		if err != nil {
			if ctx.Err() != nil {
				return out, fmt.Errorf("query %s: %w", c.host, ctx.Err())
			}
			if err.Down {
				down = err
			}
			out[i].Error = err.Msg
		}
	}
	if down != nil {
		return out, down
	}
	return out, nil
}

// snapshot runs one panel's instant query into snap. A panic on the way is
// an error that marks the server down.
func (c *Client) snapshot(ctx context.Context, p Panel, at time.Time, snap *Snapshot) (e *Error) {
	defer func() {
		if r := recover(); r != nil {
			e = crashed(r)
		}
	}()
	v, warns, err := c.query(ctx, p.Expr, at)
	snap.Warnings = warnings(warns)
	if err != nil {
		return c.explain(err)
	}
	snap.Series, err = samples(v)
	if err != nil {
		return &Error{Msg: err.Error(), Err: err}
	}
	return nil
}

// warnings returns a server's warnings made printable, each on one line.
func warnings(w []string) []string {
	if len(w) == 0 {
		return nil
	}
	out := make([]string, len(w))
	for i, s := range w {
		out[i] = printable.Line(printable.Cut(s, maxErrorLen))
	}
	return out
}

// samples converts an instant query's value: a vector's samples, a
// scalar as one series without labels, a matrix's (from a range selector
// such as up[1m]) newest points.
func samples(v model.Value) ([]Sample, error) {
	var out []Sample
	switch v := v.(type) {
	case model.Vector:
		out = make([]Sample, len(v))
		for i, s := range v {
			out[i] = Sample{Name: formatMetric(s.Metric), Labels: labelMap(s.Metric), Value: Value(s.Value), Time: s.Timestamp.Time()}
		}
	case *model.Scalar:
		out = []Sample{{Name: "{}", Labels: map[string]string{}, Value: Value(v.Value), Time: v.Timestamp.Time()}}
	case model.Matrix:
		for _, ss := range v {
			if len(ss.Values) == 0 {
				continue
			}
			p := ss.Values[len(ss.Values)-1]
			out = append(out, Sample{Name: formatMetric(ss.Metric), Labels: labelMap(ss.Metric), Value: Value(p.Value), Time: p.Timestamp.Time()})
		}
	case nil:
		return []Sample{}, errors.New("the query returned nothing")
	default:
		return []Sample{}, fmt.Errorf("the query returned a %s, not series", v.Type())
	}
	if out == nil {
		out = []Sample{}
	}
	slices.SortFunc(out, func(a, b Sample) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

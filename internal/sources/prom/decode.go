package prom

import (
	"errors"
	"fmt"
	"io"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/protobuf/proto"
)

// DefaultLabelLimit is the most labels a series may carry. expfmt's text
// parser checks a line's labels for duplicates in time quadratic in their
// number: one line of 20,000 labels (200 KB) takes it a minute.
const DefaultLabelLimit = 128

// decodedFactor bounds what a body may decode to: this many times the body
// limit, by the estimates of cost.go. Real expositions take 5 to 10 times
// their size, and one at both default limits (100,000 series of 5 labels in
// 10 MiB) 8 times (TestDecodedSize): about that much memory is what the
// limits allow real targets anyway. A hostile body of tiny series or empty
// protobuf messages would take 60 times, and more with a raised limit.
const decodedFactor = 16

// limits bound one scrape.
type limits struct {
	body, series, labels int64
	timeout              time.Duration
}

// decoded is the most heap a body may decode to, by estimate.
func (l limits) decoded() int64 { return decodedFactor * l.body }

// LimitError is a scrape that would have exceeded one of its limits. Its
// message says which and how to raise it.
type LimitError struct{ Msg string }

func (e *LimitError) Error() string { return e.Msg }

func limitErrorf(format string, args ...any) error {
	return &LimitError{Msg: fmt.Sprintf(format, args...)}
}

func bodyTooLarge(limit int64) error {
	return limitErrorf("body larger than %s limit", sizeLabel(limit))
}

func tooDense(limit int64) error {
	return limitErrorf("exposition too dense: it would take over %s to decode (%d times the %s body limit); raise the body limit",
		sizeLabel(decodedFactor*limit), decodedFactor, sizeLabel(limit))
}

func tooManyLabels(limit int64) error {
	return limitErrorf("a series with more than %d labels: raise the label limit", limit)
}

func tooManySeries(limit int64) error {
	return limitErrorf("more than %d series: raise the series limit or scrape a smaller target", limit)
}

// readExposition decodes a body in format within lim. size is the body's
// length when the server said it (Content-Length), else -1. Every error is
// one line: a *LimitError, a parse error, or the reader's own error.
func readExposition(r io.Reader, format expfmt.Format, size int64, lim limits) (*Exposition, error) {
	if size > lim.body {
		return nil, bodyTooLarge(lim.body)
	}
	body := &countingReader{r: io.LimitReader(r, lim.body+1)}
	var exp *Exposition
	var err error
	switch format.FormatType() {
	case expfmt.TypeProtoDelim:
		exp, err = readProto(body, format, size, lim)
	case expfmt.TypeOpenMetrics:
		exp, err = readOpenMetrics(body, lim)
	default:
		exp, err = readText(body, format, lim)
	}
	if body.n > lim.body {
		return nil, bodyTooLarge(lim.body)
	}
	if err != nil {
		return nil, err
	}
	exp.Bytes = body.n
	return exp, nil
}

// readText decodes the text format with expfmt, which parses the whole
// body at once; the textGuard in front stops it before it allocates more
// than the limits allow.
func readText(body io.Reader, format expfmt.Format, lim limits) (*Exposition, error) {
	name := "text"
	guard := &textGuard{r: body, maxLabels: lim.labels, budget: lim.decoded(), bodyLimit: lim.body}
	dec := expfmt.NewDecoder(guard, format)
	exp := &Exposition{Format: name}
	for {
		mf := &dto.MetricFamily{}
		err := dec.Decode(mf)
		if errors.Is(err, io.EOF) {
			return exp, nil
		}
		if err != nil {
			return nil, decodeError(err)
		}
		exp.Series += len(mf.GetMetric())
		if int64(exp.Series) > lim.series {
			return nil, tooManySeries(lim.series)
		}
		exp.Families = append(exp.Families, mf)
	}
}

// readProto decodes delimited protobuf. It does not use expfmt's decoder,
// which reads a message of any size its length prefix claims (protodelim
// with MaxSize -1: a prefix of 2^50 bytes panics in makeslice, one of 2^40
// runs out of memory). protoReader bounds each message by what is left of
// the body, and costProto bounds what it decodes to before proto.Unmarshal
// allocates any of it.
func readProto(body *countingReader, format expfmt.Format, size int64, lim limits) (*Exposition, error) {
	scheme := model.LegacyValidation
	if format.ToEscapingScheme() == model.NoEscaping {
		scheme = model.UTF8Validation
	}
	pr := newProtoReader(body, lim.body, size)
	exp := &Exposition{Format: "protobuf"}
	var cost int64
	for {
		msg, err := pr.next()
		if errors.Is(err, io.EOF) {
			return exp, nil
		}
		if err != nil {
			return nil, err
		}
		c, err := costFamily(msg, lim.labels)
		if err != nil {
			return nil, err
		}
		exp.Series += c.series
		if int64(exp.Series) > lim.series {
			return nil, tooManySeries(lim.series)
		}
		if cost += c.bytes; cost > lim.decoded() {
			return nil, tooDense(lim.body)
		}
		mf := &dto.MetricFamily{}
		if err := proto.Unmarshal(msg, mf); err != nil {
			return nil, parseError(err)
		}
		pr.done()
		if err := validate(mf, scheme); err != nil {
			return nil, parseError(err)
		}
		exp.Families = append(exp.Families, mf)
	}
}

// validate checks names and label values as expfmt's protobuf decoder does.
func validate(mf *dto.MetricFamily, scheme model.ValidationScheme) error {
	if !scheme.IsValidMetricName(mf.GetName()) {
		return fmt.Errorf("invalid metric name %s", quoteShort(mf.GetName()))
	}
	for _, m := range mf.GetMetric() {
		for _, l := range m.GetLabel() {
			if !model.LabelValue(l.GetValue()).IsValid() {
				return fmt.Errorf("invalid label value %s", quoteShort(l.GetValue()))
			}
			if !scheme.IsValidLabelName(l.GetName()) {
				return fmt.Errorf("invalid label name %s", quoteShort(l.GetName()))
			}
		}
	}
	return nil
}

// decodeError keeps a limit error as it is and makes any other a parse
// error.
func decodeError(err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		return le
	}
	return parseError(err)
}

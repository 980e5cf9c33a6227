package prom

import (
	"bytes"
	"fmt"
	"io"
	"reflect"

	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// What a body decodes to is estimated before it is decoded. proto.Unmarshal
// and expfmt's text parser allocate a struct for every message or line, a
// pointer for every optional scalar, and a copy of every string: a real
// exposition takes 5 to 10 times its size on the heap, and one made of
// nothing but empty messages or tiny lines (two bytes of protobuf make a
// Metric of 112) up to 60 times. The estimates are the structs' sizes, plus
// a slot in the parent's slice, which grows by doubling.

// slot is one element's share of a slice grown by doubling.
const slot = 16

func sizeOf[T any]() int64 { return int64(reflect.TypeFor[T]().Size()) + slot }

// Costs of the text format's pieces, as expfmt's parser stores them.
var (
	textLine    = sizeOf[dto.Metric]() + sizeOf[dto.Counter]() + 8 // a sample: its Metric, its value
	textLabel   = sizeOf[dto.LabelPair]() + 2*slot                 // and its two *string
	textComment = sizeOf[dto.MetricFamily]() + slot + 48           // a family: its *string, its map entry
)

// textGuard passes a body in the text format or OpenMetrics to expfmt's
// parser, which reads it all before returning anything, and estimates as it
// goes what the parser will allocate for it. It fails the read that takes
// the estimate past budget, or a line past maxLabels labels, before the
// parser sees its bytes. The parser reads 4 KiB at a time, so it is never
// far behind.
type textGuard struct {
	r         io.Reader
	maxLabels int64
	budget    int64 // the most the parse may take, estimated
	bodyLimit int64 // for the message
	cost      int64
	labels    int64 // on the current line
	state     textState
	err       error // once failed, every read fails
}

type textState uint8

const (
	lineStart  textState = iota
	inName               // a sample's metric name
	inLabels             // between { and }
	inQuoted             // a quoted label value or name
	inEscape             // after a backslash in a quoted string
	restOfLine           // a comment, the value, or an exemplar
)

func (g *textGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	if gerr := g.scan(p[:n]); gerr != nil {
		g.err = gerr
		return 0, gerr
	}
	return n, err
}

// scan follows p through the lines of the exposition.
func (g *textGuard) scan(p []byte) error {
	g.cost += int64(len(p)) // the strings copied out of it
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch g.state {
		case lineStart:
			switch c {
			case '\n', ' ', '\t':
			case '#':
				g.cost += textComment
				g.state = restOfLine
			case '{': // a quoted name inside the braces
				g.cost += textLine
				g.labels, g.state = 0, inLabels
			default:
				g.cost += textLine
				g.labels, g.state = 0, inName
			}
		case inName:
			switch c {
			case '{':
				g.state = inLabels
			case ' ', '\t':
				g.state = restOfLine
			case '\n':
				g.state = lineStart
			}
		case inLabels:
			switch c {
			case '"':
				g.state = inQuoted
			case '=':
				if g.labels++; g.labels > g.maxLabels {
					return tooManyLabels(g.maxLabels)
				}
				g.cost += textLabel
			case '}':
				g.state = restOfLine
			case '\n':
				g.state = lineStart
			}
		case inQuoted:
			switch c {
			case '\\':
				g.state = inEscape
			case '"':
				g.state = inLabels
			case '\n':
				g.state = lineStart
			}
		case inEscape:
			g.state = inQuoted
			if c == '\n' {
				g.state = lineStart
			}
		case restOfLine:
			j := bytes.IndexByte(p[i:], '\n')
			if j < 0 {
				i = len(p)
				break
			}
			i += j
			g.state = lineStart
		}
	}
	if g.cost > g.budget {
		return tooDense(g.bodyLimit)
	}
	return nil
}

// pbKind is a message type of io.prometheus.client, for costFamily.
type pbKind uint8

const (
	pbNone pbKind = iota
	pbFamily
	pbMetric
	pbLabel
	pbGauge // also Untyped: a value only
	pbCounter
	pbSummary
	pbQuantile
	pbHistogram
	pbBucket
	pbSpan
	pbExemplar
	pbTimestamp
)

// pbSize is what proto.Unmarshal allocates for a message of each kind.
var pbSize = [...]int64{
	pbFamily:    sizeOf[dto.MetricFamily](),
	pbMetric:    sizeOf[dto.Metric](),
	pbLabel:     sizeOf[dto.LabelPair](),
	pbGauge:     sizeOf[dto.Gauge](),
	pbCounter:   sizeOf[dto.Counter](),
	pbSummary:   sizeOf[dto.Summary](),
	pbQuantile:  sizeOf[dto.Quantile](),
	pbHistogram: sizeOf[dto.Histogram](),
	pbBucket:    sizeOf[dto.Bucket](),
	pbSpan:      sizeOf[dto.BucketSpan](),
	pbExemplar:  sizeOf[dto.Exemplar](),
	pbTimestamp: sizeOf[timestamppb.Timestamp](),
}

// pbField is how a message stores one of its fields.
type pbField uint8

const (
	pbUnknown pbField = iota // kept as bytes
	pbScalar                 // an optional scalar: a pointer to it
	pbString                 // a pointer to a copy
	pbMessage                // a pointer to a message of its kind
	pbVarints                // repeated, packed varints: 8 bytes each
	pbDoubles                // repeated, packed doubles
)

// pbSchema returns how a message of kind k stores field num, and the kind
// of a message field, from client_model's metrics.proto.
func pbSchema(k pbKind, num protowire.Number) (pbField, pbKind) {
	switch k {
	case pbFamily:
		switch num {
		case 1, 2, 5:
			return pbString, pbNone
		case 3:
			return pbScalar, pbNone
		case 4:
			return pbMessage, pbMetric
		}
	case pbMetric:
		switch num {
		case 1:
			return pbMessage, pbLabel
		case 2, 5:
			return pbMessage, pbGauge
		case 3:
			return pbMessage, pbCounter
		case 4:
			return pbMessage, pbSummary
		case 6:
			return pbScalar, pbNone
		case 7:
			return pbMessage, pbHistogram
		}
	case pbLabel:
		if num == 1 || num == 2 {
			return pbString, pbNone
		}
	case pbGauge, pbQuantile, pbSpan, pbTimestamp:
		if num == 1 || num == 2 {
			return pbScalar, pbNone
		}
	case pbCounter, pbExemplar, pbBucket, pbSummary:
		return pbValueSchema(k, num)
	case pbHistogram:
		switch num {
		case 1, 2, 4, 5, 6, 7, 8:
			return pbScalar, pbNone
		case 3:
			return pbMessage, pbBucket
		case 9, 12:
			return pbMessage, pbSpan
		case 10, 13:
			return pbVarints, pbNone
		case 11, 14:
			return pbDoubles, pbNone
		case 15:
			return pbMessage, pbTimestamp
		case 16:
			return pbMessage, pbExemplar
		}
	}
	return pbUnknown, pbNone
}

// pbValueSchema is pbSchema for the kinds that carry exemplars or
// timestamps beside scalars.
func pbValueSchema(k pbKind, num protowire.Number) (pbField, pbKind) {
	switch {
	case k == pbCounter && num == 1, k == pbExemplar && num == 2, k == pbBucket && (num == 1 || num == 2 || num == 4),
		k == pbSummary && (num == 1 || num == 2):
		return pbScalar, pbNone
	case k == pbCounter && num == 2, k == pbBucket && num == 3:
		return pbMessage, pbExemplar
	case k == pbCounter && num == 3, k == pbExemplar && num == 3, k == pbSummary && num == 4:
		return pbMessage, pbTimestamp
	case k == pbExemplar && num == 1:
		return pbMessage, pbLabel
	case k == pbSummary && num == 3:
		return pbMessage, pbQuantile
	}
	return pbUnknown, pbNone
}

// familyCost is what one MetricFamily message will decode to.
type familyCost struct {
	series int
	bytes  int64
}

// costFamily walks a MetricFamily message's wire form without decoding it:
// its series, the heap proto.Unmarshal will take for it, and whether a
// series has more than maxLabels labels.
func costFamily(msg []byte, maxLabels int64) (familyCost, error) {
	c := familyCost{bytes: pbSize[pbFamily]}
	err := c.walk(msg, pbFamily, maxLabels)
	return c, err
}

func (c *familyCost) walk(b []byte, k pbKind, maxLabels int64) error {
	var labels int64
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return parseError(fmt.Errorf("protobuf: %w", protowire.ParseError(n)))
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			return parseError(fmt.Errorf("protobuf field %d: %w", num, protowire.ParseError(m)))
		}
		field, value := b[:n+m], b[n:n+m]
		b = b[n+m:]
		how, kind := pbSchema(k, num)
		packed := typ == protowire.BytesType
		switch {
		case how == pbMessage && packed:
			c.bytes += pbSize[kind]
			switch {
			case k == pbFamily:
				c.series++
			case kind == pbLabel:
				if labels++; labels > maxLabels {
					return tooManyLabels(maxLabels)
				}
			}
			payload, _ := protowire.ConsumeBytes(value)
			if err := c.walk(payload, kind, maxLabels); err != nil {
				return err
			}
		case how == pbString && packed:
			c.bytes += slot + (int64(len(value))+15)&^15 // a *string, and its bytes in a size class
		case how == pbVarints && packed:
			payload, _ := protowire.ConsumeBytes(value)
			c.bytes += 8*varints(payload) + slot
		case how == pbDoubles && packed:
			c.bytes += int64(len(value)) + slot
		case how == pbVarints || how == pbDoubles:
			c.bytes += slot // one element, unpacked
		case how == pbScalar && !packed:
			c.bytes += 8
		default: // kept as unknown bytes, in a slice grown by doubling
			c.bytes += 2 * int64(len(field))
		}
	}
	return nil
}

// varints counts the varints in a packed field: the bytes that end one.
func varints(b []byte) int64 {
	n := int64(0)
	for _, c := range b {
		if c < 0x80 {
			n++
		}
	}
	return n
}

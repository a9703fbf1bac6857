package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"strings"
	"sync"
	"time"
)

// logger writes structured logs: one JSON object per line with time, level and msg first,
// then the fields in the order given. Go 1.19 has no log/slog, and this is all we need.
type logger struct {
	mu  sync.Mutex
	out io.Writer
	now func() time.Time
}

// field is one key/value pair of a log line.
type field struct {
	key   string
	value any
}

// kv makes a field; errors are logged as their message.
func kv(key string, value any) field {
	return field{key: key, value: value}
}

// newLogger returns a logger writing to out.
func newLogger(out io.Writer) *logger {
	return &logger{out: out, now: time.Now}
}

// info logs msg at level info.
func (l *logger) info(msg string, fields ...field) { l.write("info", msg, fields) }

// warn logs msg at level warn.
func (l *logger) warn(msg string, fields ...field) { l.write("warn", msg, fields) }

// error logs msg at level error.
func (l *logger) error(msg string, fields ...field) { l.write("error", msg, fields) }

// write encodes one line and writes it in a single call, so concurrent lines never interleave.
func (l *logger) write(level, msg string, fields []field) {
	var b bytes.Buffer
	b.WriteString(`{"time":`)
	writeJSONValue(&b, l.now().UTC().Format(time.RFC3339Nano))
	b.WriteString(`,"level":`)
	writeJSONValue(&b, level)
	b.WriteString(`,"msg":`)
	writeJSONValue(&b, msg)
	for _, f := range fields {
		b.WriteByte(',')
		writeJSONValue(&b, f.key)
		b.WriteByte(':')
		if err, ok := f.value.(error); ok {
			writeJSONValue(&b, err.Error())
		} else {
			writeJSONValue(&b, f.value)
		}
	}
	b.WriteString("}\n")
	l.mu.Lock()
	defer l.mu.Unlock()
	// A failed write to stdout has nowhere better to be reported.
	_, _ = l.out.Write(b.Bytes())
}

// writeJSONValue appends v as JSON, or its encoding error as a string so a line is never lost.
func writeJSONValue(b *bytes.Buffer, v any) {
	enc, err := json.Marshal(v)
	if err != nil {
		enc, _ = json.Marshal("unencodable value: " + err.Error())
	}
	b.Write(enc)
}

// stdlog adapts the logger for net/http's ErrorLog, so its messages are JSON lines too.
func (l *logger) stdlog() *log.Logger {
	return log.New(stdlogWriter{l}, "", 0)
}

// stdlogWriter turns each standard-library log call into one error line.
type stdlogWriter struct{ l *logger }

// Write logs p as the message of an error line.
func (w stdlogWriter) Write(p []byte) (int, error) {
	w.l.error(strings.TrimSpace(string(p)), kv("source", "net/http"))
	return len(p), nil
}

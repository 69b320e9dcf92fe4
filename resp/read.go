package resp

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Read parses one RESP2 reply from r: what a client reads. gearsd itself
// only writes replies; its tests read them, from gearsd and from
// redis-server, and compare the values (Kind included, so a simple string
// differs from a bulk one and a null bulk from a null array).
func Read(r *bufio.Reader) (Value, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return Value{}, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return Value{}, fmt.Errorf("resp: bad line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+':
		return Simple(body), nil
	case '-':
		return Err(body), nil
	case ':':
		n, err := strconv.ParseInt(body, 10, 64)
		return Int(n), err
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil {
			return Value{}, err
		}
		if n < 0 {
			return Null, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return Value{}, err
		}
		return Bulk(string(buf[:n])), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil {
			return Value{}, err
		}
		if n < 0 {
			return NullArray, nil
		}
		vs := make([]Value, n)
		for i := range vs {
			if vs[i], err = Read(r); err != nil {
				return Value{}, err
			}
		}
		return Array(vs...), nil
	}
	return Value{}, fmt.Errorf("resp: unknown reply type %q", line)
}

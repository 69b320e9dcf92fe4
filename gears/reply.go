package gears

import (
	"fmt"

	"github.com/gearsd/gearsd/python"
	"github.com/gearsd/gearsd/resp"
)

// recordToReply converts one final record, in its Go form, to RESP
// (python-api.md §8.2, rgpy.c: PythonRecord_SendReply).
func recordToReply(v any) resp.Value {
	switch x := v.(type) {
	case []any:
		out := make([]resp.Value, len(x))
		for i, e := range x {
			out[i] = recordToReply(e)
		}
		return resp.Array(out...)
	case bool:
		return resp.Bool(x)
	case int64:
		return resp.Int(x)
	case float64:
		return resp.Bulk(fmt.Sprintf("%f", x)) // C's %lf
	case string:
		if len(x) > 1 {
			switch x[0] {
			case '+':
				return resp.Simple(x[1:])
			case '-':
				return resp.Err(x[1:])
			}
		}
		return resp.Bulk(x)
	case []byte:
		return resp.Bulk(string(x))
	case nil, python.Opaque, python.ByteArray:
	}
	return resp.Bulk("PY RECORD")
}

// resultsReply is the [[results...], [errors...]] reply of RG.PYEXECUTE and
// RG.GETRESULTS; errors are bulk strings, never error replies.
func resultsReply(results []resp.Value, errs []string) resp.Value {
	return resp.Array(resp.Array(results...), resp.BulkArray(errs))
}

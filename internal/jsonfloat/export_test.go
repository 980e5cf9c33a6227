package jsonfloat

// MarshalReflect is Marshal's slow path alone; with delegate false it
// walks every composite itself rather than handing float-free ones to
// encoding/json, so that tests can hold the walk to encoding/json's bytes.
var MarshalReflect = marshalReflect

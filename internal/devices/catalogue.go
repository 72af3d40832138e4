package devices

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// catalogueIDs are the bus IDs at which each device type usually sits; the
// catalogue describes every product as found there (a mixer at 0x20 serves hc1).
var catalogueIDs = map[Type]byte{Boiler: 0x08, Thermostat: 0x10, Mixer: 0x20, Solar: 0x30, Heatpump: 0x53,
	Gateway: 0x48, Switch: 0x11, Controller: 0x09, Connect: 0x50, Alert: 0x12, Extension: 0x15,
	Heatsource: 0x60, Ventilation: 0x51, Water: 0x28, Pool: 0x11}

// CatalogueHeader is the header of EMS-ESP's entity catalogue, whose
// conventions WriteCatalogue follows.
var CatalogueHeader = []string{"device name", "device type", "product id", "shortname", "fullname",
	`type [options...] \| (min/max)`, "uom", "writeable"}

// WriteCatalogue writes every product and entity the library knows as CSV,
// one row per product and entity, in the notation of EMS-ESP's entity
// catalogue (dump_entities.csv), so the two can be compared.
func WriteCatalogue(out io.Writer) error {
	w := csv.NewWriter(out)
	if err := w.Write(CatalogueHeader); err != nil {
		return err
	}
	for _, t := range loadLibrary().order {
		l := t.layout()
		for _, prod := range l.products {
			p, _ := Identify(catalogueIDs[l.typ], prod.id, "")
			p.Type, p.Name = l.typ, prod.name
			d := NewDevice(catalogueIDs[l.typ], p, "", "")
			for i := range d.Entities {
				e := &d.Entities[i]
				if e.Tag > TagHC1 && e.Tag < TagDHW {
					continue // the catalogue lists a device's first circuit
				}
				row := []string{prod.name, l.typ.String(), strconv.Itoa(int(prod.id)), e.Key(), e.Full,
					catalogueType(e), catalogueUnit(e.UOM), strconv.FormatBool(e.Writeable)}
				if err := w.Write(row); err != nil {
					return err
				}
			}
		}
	}
	w.Flush()
	return w.Error()
}

// catalogueType is "uint8 (>=0<=90)", "enum [a\|b]", "cmd [] (>=-1<=101)".
func catalogueType(e *Entity) string {
	var b strings.Builder
	b.WriteString(e.Type.String())
	if e.Options != nil {
		b.WriteString(" [")
		b.WriteString(strings.Join(e.Options, `\|`))
		b.WriteString("]")
	}
	if e.HasRange {
		b.WriteString(" (>=")
		b.WriteString(strconv.FormatInt(e.Min, 10))
		b.WriteString("<=")
		b.WriteString(strconv.FormatInt(e.Max, 10))
		b.WriteString(")")
	}
	return b.String()
}

// catalogueUnit writes °C as "C" and no unit as a space, as the catalogue does.
func catalogueUnit(u UOM) string {
	switch u {
	case NoUnit:
		return " "
	case Celsius:
		return "C"
	}
	return u.String()
}

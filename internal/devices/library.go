package devices

import "strings"

// Type is a device class as EMS-ESP names it in URLs and JSON.
type Type uint8

const (
	Unknown Type = iota
	Boiler
	Thermostat
	Mixer
	Solar
	Heatpump
	Gateway
	Switch
	Controller
	Connect
	Alert
	Extension
	Generic
	Heatsource
	Ventilation
	Water
	Pool
)

var typeNames = [...]string{"unknown", "boiler", "thermostat", "mixer", "solar", "heatpump", "gateway",
	"switch", "controller", "connect", "alert", "extension", "generic", "heatsource", "ventilation", "water", "pool"}

func (t Type) String() string { return typeNames[t] }

// TypeByName maps a URL device name (any case) to its type. Controller and
// generic devices exist but cannot be addressed, as in EMS-ESP.
func TypeByName(name string) (Type, bool) {
	for i, n := range typeNames {
		if strings.EqualFold(n, name) {
			t := Type(i)
			return t, t != Unknown && t != Controller && t != Generic
		}
	}
	return Unknown, false
}

// Flags is a product's model ID (interpreted per device type) plus extra bits.
type Flags uint8

// Models, numbered per device type as in EMS-ESP's device table.
const (
	ModelEMS      Flags = 1 // boilers
	ModelEMSPlus  Flags = 2
	ModelHT3      Flags = 3
	ModelHybrid   Flags = 4
	ModelHIU      Flags = 5
	ModelHeatPump Flags = 8
	ModelCS6800   Flags = 9

	ModelSM10  Flags = 1 // solar modules
	ModelSM100 Flags = 2
	ModelISM   Flags = 3

	ModelMMPlus Flags = 1 // mixers
	ModelMM10   Flags = 2
	ModelIPM    Flags = 3
	ModelMP     Flags = 4

	ModelEasy    Flags = 1 // thermostats
	ModelRC10    Flags = 2
	ModelRC20    Flags = 3
	ModelRC20N   Flags = 4
	ModelRC25    Flags = 5
	ModelRC30N   Flags = 6
	ModelRC30    Flags = 7
	ModelRC35    Flags = 8
	ModelRC300   Flags = 9
	ModelRC100   Flags = 10
	ModelJunkers Flags = 11
	ModelCRF     Flags = 12
	ModelRC100H  Flags = 13
	ModelBC400   Flags = 14
	ModelR3000   Flags = 15
	ModelCR120   Flags = 16
	ModelCR11    Flags = 17
	ModelHMC310  Flags = 18

	ModelIVT Flags = 1 // controllers

	JunkersOld Flags = 0x40 // thermostat: older Junkers telegram set
	NoWrite    Flags = 0x80 // thermostat: values cannot be written
)

// Model is the model ID without the extra bits.
func (f Flags) Model() Flags { return f &^ (JunkersOld | NoWrite) }

// Product is one row of the product table.
type Product struct {
	ID    uint8
	Type  Type
	Name  string
	Flags Flags
}

// products is EMS-ESP's device table (the firmware rows), in lookup order:
// product IDs repeat across device types and the first acceptable row wins.
var products = []Product{
	// Boilers - 0x08
	{8, Boiler, "CS5800i, CS6800i, WLW176i, WLW186i", ModelCS6800},
	{11, Boiler, "Greenstar 2000", 0},
	{12, Boiler, "C1200W", 0},
	{16, Boiler, "CS5800iG", 0},
	{64, Boiler, "BK13/BK15, Smartline, GB1*2", 0},
	{72, Boiler, "Logano GB1*5, Logamatic MC10", ModelEMS},
	{81, Boiler, "Cascade CM10", 0},
	{84, Boiler, "Logamax Plus GB022", 0},
	{95, Boiler, "Condens, Logamax/Logomatic, Cerapur Top, Greenstar, Generic HT3", ModelHT3},
	{115, Boiler, "Topline, GB162", 0},
	{121, Boiler, "Cascade MCM10", 0},
	{122, Boiler, "Proline", 0},
	{123, Boiler, "GB*72, Trendline, Cerapur, Greenstar Si", 0},
	{131, Boiler, "GB212", 0},
	{132, Boiler, "GC7000F", 0},
	{133, Boiler, "Logano GB125/KB195i, Logamatic MC110", 0},
	{154, Boiler, "Greenstar 30Ri Compact", 0},
	{155, Boiler, "Suprapur-o", 0},
	{167, Boiler, "Cerapur Aero", 0},
	{168, Boiler, "Hybrid Heatpump", ModelHybrid},
	{170, Boiler, "Logano GB212", 0},
	{172, Boiler, "Enviline, Compress 6000AW, Hybrid 3000-7000iAW, SupraEco/Geo 5xx, WLW196i/WSW196i", ModelHeatPump},
	{173, Boiler, "Geo 5xx", ModelHeatPump},
	{195, Boiler, "Condens 5000i, Greenstar 8000/GC9800IW, GB192i*2", 0},
	{203, Boiler, "Logamax U122, Cerapur", 0},
	{206, Boiler, "Ecomline Excellent", 0},
	{208, Boiler, "Logamax Plus, GB192, Condens GC9000, Greenstar ErP", 0},
	{210, Boiler, "Cascade MC400", 0},
	{211, Boiler, "EasyControl Adapter", 0},
	{219, Boiler, "Greenstar HIU, Logamax kompakt WS170", ModelHIU},
	{234, Boiler, "Logamax Plus GB122, Condense 2300, Junkers Cerapur GC2200W", 0},
	// Controllers - 0x09 / 0x10 / 0x50
	{68, Controller, "BC10, RFM20", 0},
	{81, Controller, "CM10", 0},
	{84, Controller, "GB022", 0},
	{89, Controller, "BC10, GB142", 0},
	{95, Controller, "HT3", 0},
	{114, Controller, "BC10", 0},
	{121, Controller, "MCM10", 0},
	{125, Controller, "BC25", 0},
	{152, Controller, "Controller", 0},
	{166, Controller, "Suprapur-o", 0},
	{168, Controller, "Hybrid Heatpump", 0},
	{169, Controller, "BC40", 0},
	{190, Controller, "BC10", 0},
	{194, Controller, "BC10", 0},
	{206, Controller, "Ecomline", 0},
	{207, Controller, "Sense II/CS200", 0},
	{209, Controller, "ErP", 0},
	{224, Controller, "9000i", 0},
	{229, Controller, "8700i", 0},
	{230, Controller, "BC Base", 0},
	{240, Controller, "Rego 3000", ModelIVT},
	{241, Controller, "Condens 5000i", 0},
	// Thermostat - not currently supporting write operations, like the Easy/100 types - 0x18
	{202, Thermostat, "Logamatic TC100, Moduline Easy", ModelEasy | NoWrite},
	{203, Thermostat, "EasyControl, CT200", ModelEasy | NoWrite},
	// Thermostat - Buderus/Nefit/Bosch specific - 0x17 / 0x10 / 0x18 / 0x19-0x1B for hc2-4 / 0x38
	{4, Thermostat, "UI800, BC400", ModelBC400},
	{10, Thermostat, "CR11", ModelCR11},
	{65, Thermostat, "RC10", ModelRC20N},
	{67, Thermostat, "RC30", ModelRC30N},
	{77, Thermostat, "RC20, Moduline 300", ModelRC20},
	{78, Thermostat, "Moduline 400", ModelRC30},
	{79, Thermostat, "RC10, Moduline 100", ModelRC10},
	{80, Thermostat, "Moduline 200", ModelRC10},
	{86, Thermostat, "RC35", ModelRC35},
	{90, Thermostat, "RC10, Moduline 100", ModelRC20N},
	{93, Thermostat, "RC20RF", ModelRC20},
	{94, Thermostat, "RFM20 Remote", 0},
	{151, Thermostat, "RC25", ModelRC25},
	{157, Thermostat, "RC200, CW100, CR120, CR50", ModelRC100},
	{158, Thermostat, "RC3*0, Moduline 3000/1010H, CW400, Sense II, HPC410", ModelRC300},
	{165, Thermostat, "RC100, CR10, Moduline 1000/1010", ModelCR11},
	{172, Thermostat, "Rego 2000/3000", ModelR3000},
	{215, Thermostat, "Comfort RF", ModelCRF | NoWrite},
	{216, Thermostat, "CRF200S", ModelCRF | NoWrite},
	{246, Thermostat, "Comfort+2RF", ModelCRF | NoWrite},
	{253, Thermostat, "Rego 3000, UI800, Logamatic BC400", ModelBC400},
	// Thermostat - Sieger - 0x10 / 0x17
	{66, Thermostat, "ES72, RC20", ModelRC20N},
	{76, Thermostat, "ES73", ModelRC30N},
	{113, Thermostat, "ES72, RC20", ModelRC20N},
	{156, Thermostat, "ES79", ModelRC35},
	// Thermostat - Junkers - 0x10
	{105, Thermostat, "FW100", ModelJunkers},
	{106, Thermostat, "FW200", ModelJunkers},
	{107, Thermostat, "FR100", ModelJunkers | JunkersOld},
	{108, Thermostat, "FR110", ModelJunkers | JunkersOld},
	{109, Thermostat, "FB10", ModelJunkers},
	{110, Thermostat, "FB100", ModelJunkers},
	{111, Thermostat, "FR10", ModelJunkers | JunkersOld},
	{116, Thermostat, "FW500", ModelJunkers},
	{147, Thermostat, "FR50", ModelJunkers | JunkersOld},
	{191, Thermostat, "FR120", ModelJunkers | JunkersOld},
	{192, Thermostat, "FW120", ModelJunkers},
	// Thermostat remote - 0x38
	{3, Thermostat, "RT800, RC220", ModelRC100H},
	{200, Thermostat, "RC100H, CR10H", ModelRC100H},
	{249, Thermostat, "RC120RF, TR120RF, CR20RF", ModelRC100H},
	// Solar Modules - 0x30 (for solar), 0x2A, 0x41 (for ww)
	{73, Solar, "SM10", ModelSM10},
	{101, Solar, "ISM1", ModelISM},
	{103, Solar, "ISM2", ModelISM},
	{162, Solar, "SM50", ModelSM100},
	{163, Solar, "SM100, MS100", ModelSM100},
	{164, Solar, "SM200, MS200", ModelSM100},
	// Mixer Modules - 0x20-0x27 for HC, 0x28-0x29 for WWC and 0x11 for the MP100
	{8, Mixer, "XCUMixer", ModelMMPlus},
	{69, Mixer, "MM10", ModelMM10},
	{100, Mixer, "IPM", ModelIPM},
	{102, Mixer, "IPM2", ModelIPM},
	{159, Mixer, "MM50", ModelMMPlus},
	{160, Mixer, "MM100", ModelMMPlus},
	{161, Mixer, "MM200", ModelMMPlus},
	{193, Mixer, "MZ100", ModelMMPlus},
	{204, Pool, "MP100", ModelMP},
	// also prod-id of wifi module and wireless base
	{252, Heatpump, "HP Module", 0},
	// Heat Pumps - 0x53
	{248, Heatpump, "Hybrid Manager HM200", 0},
	{16, Heatpump, "CSH5800iG", 0},
	// Ventilation - 0x51
	{231, Ventilation, "HRV176, HRV156, 5000c, MV200", 0},
	// Heatsource - 0x60
	{228, Heatsource, "AM200", 0},
	// Connect devices - 0x02
	{171, Connect, "OpenTherm Converter", 0},
	{205, Connect, "Moduline Easy Connect", 0},
	{206, Connect, "Easy Connect", 0},
	// Wireless sensor base - 0x50
	{218, Connect, "M200, RFM200", 0},
	{236, Connect, "Wireless sensor base", 0},
	{238, Connect, "Wireless sensor base", 0},
	// Switches - 0x11
	{71, Switch, "WM10", 0},
	// EM10/100 extension module, pump module - 0x15
	{243, Extension, "EM10, EM100", 0},
	// Wireless outdoor sensor T1RF - 0x16
	{220, Extension, "T1RF", 0},
	// EM10 error contact and analog flowtemp control- 0x12
	{74, Alert, "EM10", 0},
	// Gateways - 0x48
	{17, Gateway, "MX400", 0},
	{189, Gateway, "KM200, MB LAN 2", 0},
	{252, Gateway, "K30RF, MX300", 0},
	// Generic - 0x40 or other with no product-id and no version
	{0, Generic, "unknown", 0},
}

// Identify finds what the device with bus ID deviceID and the given product
// ID and version is (ems-bus.md §3.4). ok is false when EMS-ESP would not add
// the device at all.
func Identify(deviceID, productID uint8, version string) (p Product, ok bool) {
	if productID == 0 {
		return identifyByID(deviceID)
	}
	p, found := lookup(deviceID, productID)
	if !found {
		return Product{ID: productID, Type: Generic, Name: "unknown"}, true
	}
	switch {
	case p.Type == Boiler && deviceID >= 0x70 && deviceID <= 0x7F:
		p.Type = Heatsource
	case p.Type == Heatpump && deviceID == 0x48:
		p = Product{ID: productID, Type: Gateway, Name: "WiFi module"}
	case p.Type == Heatpump && deviceID == 0x50:
		p = Product{ID: productID, Type: Connect, Name: "Wireless sensor base"}
	case deviceID == 0x50:
		p = Product{ID: productID, Type: Connect, Name: "Wireless base"}
	}
	switch {
	case deviceID >= 0x28 && deviceID <= 0x2F, deviceID == 0x41:
		p.Type = Water
	case productID == 248 && deviceID >= 0x20 && deviceID <= 0x27:
		p = Product{ID: productID, Type: Mixer, Name: "MH210", Flags: ModelMMPlus}
	case productID == 157 && strings.HasPrefix(version, "2"):
		p.Name, p.Flags = "CR120", ModelCR120
	case productID == 158 && strings.HasPrefix(version, "73"):
		p.Flags = ModelHMC310
	}
	return p, true
}

func lookup(deviceID, productID uint8) (Product, bool) {
	for _, p := range products {
		if p.ID != productID {
			continue
		}
		// A boiler row only describes the boiler itself or a cascade heat source.
		if p.Type == Boiler && deviceID != 0x08 && (deviceID < 0x70 || deviceID > 0x7F) {
			continue
		}
		return p, true
	}
	return Product{}, false
}

// identifyByID names devices that answer with product ID 0.
func identifyByID(id uint8) (Product, bool) {
	switch {
	case id == 0x40:
		return Product{Type: Thermostat, Name: "RF room temperature sensor"}, true
	case id == 0x17 || id == 0x19:
		return Product{Type: Thermostat, Name: "RC10", Flags: ModelRC10 | NoWrite}, true
	case id == 0x04:
		return Product{Type: Connect, Name: "RS232"}, true
	case id == 0x0A:
		return Product{Type: Connect, Name: "terminal"}, true
	case id == 0x0B:
		return Product{Type: Connect, Name: "service key"}, true
	case id == 0x0C:
		return Product{Type: Connect, Name: "cascade"}, true
	case id == 0x0D || (id >= 0x48 && id <= 0x4D):
		return Product{Type: Connect, Name: "modem"}, true
	case id == 0x0E:
		return Product{Type: Connect, Name: "converter"}, true
	case id == 0x0F:
		return Product{Type: Controller, Name: "clock"}, true
	case id == 0x09 || (id >= 0x68 && id <= 0x6F):
		return Product{Type: Controller, Name: "controller"}, true
	case id == 0x08:
		return Product{Type: Boiler, Name: "Generic Boiler", Flags: ModelHeatPump}, true
	}
	return Product{}, false
}

package telegram

// crcTable[c] is one step of the EMS CRC over the running value c: a left
// rotation that folds in the polynomial 0x0C when the top bit falls out.
var crcTable = func() (t [256]byte) {
	for i := range t {
		c := byte(i)
		carry := c >> 7
		if carry != 0 {
			c ^= 0x0C
		}
		t[i] = c<<1 | carry
	}
	return t
}()

// CRC returns the EMS checksum of b: every byte of a frame except the CRC byte itself.
func CRC(b []byte) byte {
	var crc byte
	for _, x := range b {
		crc = crcTable[crc] ^ x
	}
	return crc
}

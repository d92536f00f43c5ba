/// A body that is written as JSON text directly: records and lists of them, the hot responses, skip
/// Foundation's encoder.
package protocol JSONRepresentable {
    /// Appends the value as compact JSON text, object keys sorted (as `JSONText` writes them).
    func writeJSON(to out: inout [UInt8])
}

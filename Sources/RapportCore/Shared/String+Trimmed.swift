import Foundation

extension String {
    /// The text without leading and trailing white space (and line breaks, unless `newlines` is false),
    /// as Foundation trims it, but without its cost when neither end is white space (the usual case):
    /// both of Foundation's sets lie within Unicode's White_Space property.
    package func trimmed(newlines: Bool = true) -> String {
        guard let first = unicodeScalars.first, let last = unicodeScalars.last else { return "" }
        if !first.properties.isWhitespace && !last.properties.isWhitespace { return self }
        return trimmingCharacters(in: newlines ? .whitespacesAndNewlines : .whitespaces)
    }
}

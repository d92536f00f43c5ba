/// Typed views turned into what the template engine reads fastest: dictionaries and arrays.
enum TemplateValues {
    /// A value with its stored properties as a dictionary, its arrays' elements likewise; a nil optional
    /// is left out, so that a template's `{{#name}}` skips it.
    static func flatten(_ value: Any) -> Any {
        switch value {
        case is String, is Int, is Int64, is Bool, is [String: String], is [String: Bool], is [String]: return value
        default: break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .struct?, .class?:
            var members: [String: Any] = [:]
            for child in mirror.children {
                guard let label = child.label, let member = unwrap(child.value) else { continue }
                members[label] = flatten(member)
            }
            return members
        case .collection?:
            return mirror.children.map { flatten($0.value) }
        case .optional?:
            return unwrap(value).map(flatten) as Any
        default:
            return value
        }
    }

    /// The value inside an optional (nil for none); any other value as it is.
    static func unwrap(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first?.value
    }
}

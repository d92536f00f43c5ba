import Mustache

/// What a template renders: the values every page has (messages, language and direction, the CSRF
/// token, the title, the navigation, the addresses of the fixed pages), then the page's own view.
struct PageView<Content: PageContent>: MustacheParent {
    let t: [String: String]
    let lang: String
    let dir: String
    let csrf: String?
    let title: String
    let nav: NavView?
    /// The message left by the action before the redirect here.
    let flash: String?
    let paths = FixedPaths()
    let content: Content

    func child(named name: String) -> Any? {
        switch name {
        case "t": t
        case "lang": lang
        case "dir": dir
        case "csrf": csrf
        case "title": title
        case "nav": nav
        case "flash": flash
        case "paths": paths
        default: Self.member(name, of: content)
        }
    }

    /// A stored property of `value` by name, an optional one unwrapped (nil when it is nil).
    static func member(_ name: String, of value: Any) -> Any? {
        guard let member = Mirror(reflecting: value).children.first(where: { $0.label == name })?.value else {
            return nil
        }
        let mirror = Mirror(reflecting: member)
        guard mirror.displayStyle == .optional else { return member }
        return mirror.children.first?.value
    }
}

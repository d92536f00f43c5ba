/// What a template renders: the values every page has (messages, language and direction, the CSRF
/// token, the title, the navigation, the message after a redirect, the addresses of the fixed pages),
/// then the page's own view.
struct PageView<Content: PageContent> {
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

    /// The view as the template engine reads it: nested dictionaries and arrays, made with one pass of
    /// reflection over the typed view (reading each name by reflection while rendering cost a list page
    /// most of its time). The page's own values come first; the common ones win where a name is in both.
    var values: [String: Any] {
        var values = TemplateValues.flatten(content) as? [String: Any] ?? [:]
        values["t"] = t
        values["lang"] = lang
        values["dir"] = dir
        values["csrf"] = csrf
        values["title"] = title
        values["nav"] = nav.map(TemplateValues.flatten)
        values["flash"] = flash
        values["paths"] = TemplateValues.flatten(paths)
        return values
    }
}

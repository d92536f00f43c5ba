/// A page's own view model: a typed value whose stored properties are the names its template reads.
/// Optional properties that are nil, false flags and empty lists skip their `{{#section}}`; an empty
/// string does not, so a value that may be missing is optional.
protocol PageContent {
    /// The template in `Resources/Templates` that shows this view, without its extension.
    static var template: String { get }
}

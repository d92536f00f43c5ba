import Foundation

/// The one list of CRM objects. Adding an object is adding its description here (see
/// docs/architecture.md, "Adding an object").
package enum ObjectCatalog {
    package static let all: [ObjectType] = [.contacts, .companies, .products, .deals, .tasks, .orders]

    /// An object by its name (`contacts`); nil for one that does not exist.
    package static func named(_ name: String) -> ObjectType? { all.first { $0.name == name } }

    /// The objects' names, for messages ("contacts, companies").
    package static var names: [String] { all.map(\.name) }

    /// Objects with a reference field to `target`, and those fields.
    package static func referrers(of target: String) -> [(type: ObjectType, field: String)] {
        all.flatMap { type in type.references(to: target).map { (type, $0) } }
    }

    /// Objects with a list of references to `target` (a deal's `contact_ids` for `contacts`, its
    /// `line_items` for `products`), and those fields.
    package static func listReferrers(of target: String) -> [(type: ObjectType, field: String)] {
        all.flatMap { type in
            type.fields.compactMap { field in
                switch field.kind {
                case .referenceList(target): (type, field.name)
                case .lineItems where target == "products": (type, field.name)
                default: nil
                }
            }
        }
    }
}

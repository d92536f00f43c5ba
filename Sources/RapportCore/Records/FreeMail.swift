/// Email domains that many unrelated people share: a contact's address there says nothing about its company.
package enum FreeMail {
    package static let domains: Set<String> = [
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "ymail.com", "hotmail.com", "hotmail.co.uk",
        "outlook.com", "live.com", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me",
        "protonmail.com", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com", "zoho.com", "yandex.com", "yandex.ru",
        "mail.ru", "ukr.net", "i.ua", "meta.ua", "hotmail.dk", "live.dk", "jubii.dk", "yahoo.dk", "mail.dk",
        "chmail.ir", "yahoo.ir", "gmail.ir", "qq.com", "163.com", "126.com", "fastmail.com", "tutanota.com", "hey.com",
    ]

    /// The domain of an address, lower-cased.
    package static func domain(of email: String) -> String? {
        guard let at = email.lastIndex(of: "@") else { return nil }
        let domain = email[email.index(after: at)...].lowercased()
        return domain.isEmpty ? nil : domain
    }

    package static func isFree(_ domain: String) -> Bool { domains.contains(domain.lowercased()) }
}

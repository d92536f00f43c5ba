import Foundation

/// ISO 4217 currency codes in use, and how many digits each has after the decimal point (money is
/// stored in minor units: 1250 DKK is 12.50 kroner, 1250 JPY is 1,250 yen).
package enum Currencies {
    package static let codes: Set<String> = Set(
        """
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD
        CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
        GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
        LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD
        OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC
        SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU
        XBA XBB XBC XBD XCD XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWL
        """.split(whereSeparator: \.isWhitespace).map(String.init))

    static let noMinorUnit: Set<String> = [
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF",
        "XPF",
    ]
    static let threeDigits: Set<String> = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]

    /// The code for a code in any case, or nil.
    package static func code(_ text: String) -> String? {
        let upper = text.trimmed(newlines: false).uppercased()
        return codes.contains(upper) ? upper : nil
    }

    /// Digits after the decimal point of an amount in this currency.
    package static func minorDigits(_ code: String) -> Int {
        if noMinorUnit.contains(code) { return 0 }
        if threeDigits.contains(code) { return 3 }
        if code == "CLF" || code == "UYW" { return 4 }
        return 2
    }

    /// Digits in groups of three: `1,234,567`.
    static func grouped(_ number: Int64) -> String {
        var text = String(number)
        var index = text.count - 3
        while index > 0 {
            text.insert(",", at: text.index(text.startIndex, offsetBy: index))
            index -= 3
        }
        return text
    }

    /// An amount in minor units as a person reads it: `12.50 DKK`.
    package static func format(minorUnits: Int64, code: String?) -> String {
        guard let code else { return String(minorUnits) }
        let digits = minorDigits(code)
        guard digits > 0 else { return "\(minorUnits < 0 ? "-" : "")\(grouped(abs(minorUnits))) \(code)" }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let sign = minorUnits < 0 ? "-" : ""
        let whole = grouped(abs(minorUnits) / scale)
        let fraction = String(abs(minorUnits) % scale)
        return "\(sign)\(whole).\(String(repeating: "0", count: digits - fraction.count))\(fraction) \(code)"
    }

    /// An amount written with a decimal point (`12.50`, `1250`, `-3`) in minor units of `currency`; nil
    /// for anything else, or for more decimals than the currency has.
    package static func minorUnits(_ text: String, currency: String) -> Int64? {
        var text = text.trimmed(newlines: false)
        var negative = false
        if text.hasPrefix("-") {
            negative = true
            text.removeFirst()
        }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let digits = minorDigits(currency)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCII), whole.allSatisfy(\.isNumber),
            whole.count <= 13
        else { return nil }
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        guard fraction.allSatisfy({ $0.isASCII && $0.isNumber }), parts.count == 1 || !fraction.isEmpty else {
            return nil
        }
        // (trailing zeros beyond the currency's digits change nothing: 12.500 DKK is 12.50)
        while fraction.count > digits, fraction.hasSuffix("0") { fraction.removeLast() }
        guard fraction.count <= digits else { return nil }
        fraction += String(repeating: "0", count: digits - fraction.count)
        guard let value = Int64(whole + fraction) else { return nil }
        return negative ? -value : value
    }

    /// An amount in minor units as an input holds it: ASCII digits, a decimal point, no grouping (`1250.50`).
    package static func plain(minorUnits: Int64, code: String?) -> String {
        let digits = minorDigits(code ?? "")
        guard digits > 0 else { return String(minorUnits) }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let fraction = String(abs(minorUnits) % scale)
        return
            "\(minorUnits < 0 ? "-" : "")\(abs(minorUnits) / scale).\(String(repeating: "0", count: digits - fraction.count))\(fraction)"
    }
}

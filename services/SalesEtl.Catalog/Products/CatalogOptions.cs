using System.ComponentModel.DataAnnotations;

namespace SalesEtl.Catalog.Products;

/// <summary>Section <c>Catalog</c> (env <c>Catalog__ProductsFile</c>).</summary>
public sealed class CatalogOptions
{
    public const string Section = "Catalog";

    /// <summary>JSON file with the products: a bare array of items, or an object with an <c>items</c> array.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ProductsFile { get; set; } = "";
}

#pragma once
#include <QColor>
#include <QImage>
#include <QSize>
#include <QString>

#include <functional>

class QPainter;

// One way to turn a view into a file: the view paints itself into a QPainter over
// logical coordinates (0, 0)-(size), and this paints that into a PNG (at `scale`
// pixels per logical pixel) or an SVG (vector, text kept as text), chosen by the
// file's suffix. Files are written through a temporary name in the same directory,
// so a failed export never leaves half a file behind.
enum class ImageFormat { Png, Svg };

struct ImageOptions {
    QSize size{1600, 900}; // logical pixels
    qreal scale = 2.0;     // PNG only: device pixels per logical pixel
    bool title = true;
    bool legend = true;
};

using PaintFunction = std::function<void(QPainter &painter, QSize logicalSize)>;

// .svg (any case) is SVG; everything else PNG.
ImageFormat imageFormatFor(const QString &path);

// Paints into an image of size × scale pixels over a white background.
QImage paintImage(QSize logicalSize, qreal scale, const PaintFunction &paint);

// The SVG document `paint` draws, with `title` as its <title>.
QByteArray paintSvg(QSize logicalSize, const QString &title, const PaintFunction &paint);

// Paints and writes `path` in the format its suffix names. On failure returns false
// and, if `error` is given, says which file and why.
bool writeImageFile(const QString &path, const ImageOptions &options, const QString &title,
                    const PaintFunction &paint, QString *error);

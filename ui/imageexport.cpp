#include "imageexport.h"

#include "pngfile.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFileInfo>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Export", text);
}

bool fail(const QString &path, const QString &why, QString *error)
{
    if (error)
        *error = tr("Cannot write %1: %2").arg(path, why);
    return false;
}

bool writeBytes(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(path, file.errorString(), error);
    if (file.write(bytes) != bytes.size()) {
        const QString why = file.errorString();
        file.cancelWriting();
        return fail(path, why, error);
    }
    if (!file.commit())
        return fail(path, file.errorString(), error);
    return true;
}

} // namespace

ImageFormat imageFormatFor(const QString &path)
{
    return QFileInfo(path).suffix().compare(QLatin1String("svg"), Qt::CaseInsensitive) == 0
               ? ImageFormat::Svg
               : ImageFormat::Png;
}

QImage paintImage(QSize logicalSize, qreal scale, const PaintFunction &paint)
{
    if (logicalSize.isEmpty() || !(scale > 0.0))
        return QImage();
    QImage image(logicalSize * scale, QImage::Format_ARGB32_Premultiplied);
    if (image.isNull()) // too large to allocate
        return image;
    image.setDevicePixelRatio(scale);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::TextAntialiasing);
    paint(painter, logicalSize);
    painter.end();
    return image;
}

QByteArray paintSvg(QSize logicalSize, const QString &title, const PaintFunction &paint)
{
    if (logicalSize.isEmpty())
        return QByteArray();
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator svg;
    svg.setOutputDevice(&buffer);
    svg.setSize(logicalSize);
    svg.setViewBox(QRect(QPoint(0, 0), logicalSize));
    svg.setResolution(96);
    svg.setTitle(title);
    svg.setDescription(tr("Exported by Interleave"));
    QPainter painter(&svg);
    painter.fillRect(QRect(QPoint(0, 0), logicalSize), Qt::white);
    painter.setRenderHint(QPainter::TextAntialiasing);
    paint(painter, logicalSize);
    painter.end();
    return buffer.data();
}

bool writeImageFile(const QString &path, const ImageOptions &options, const QString &title,
                    const PaintFunction &paint, QString *error)
{
    if (options.size.isEmpty())
        return fail(path, tr("the image size is empty"), error);
    if (imageFormatFor(path) == ImageFormat::Svg) {
        const QByteArray svg = paintSvg(options.size, title, paint);
        if (svg.isEmpty())
            return fail(path, tr("SVG rendering failed"), error);
        return writeBytes(path, svg, error);
    }
    const QImage image = paintImage(options.size, options.scale, paint);
    if (image.isNull())
        return fail(path,
                    tr("an image of %1×%2 pixels is too large")
                        .arg(qRound(options.size.width() * options.scale))
                        .arg(qRound(options.size.height() * options.scale)),
                    error);
    return writePngFile(image, path, error);
}

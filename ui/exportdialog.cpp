#include "exportdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>

namespace {

QString withSuffix(const QString &path, ImageFormat format)
{
    const QFileInfo info(path);
    const QString suffix =
        format == ImageFormat::Svg ? QStringLiteral("svg") : QStringLiteral("png");
    if (info.suffix().compare(suffix, Qt::CaseInsensitive) == 0)
        return path;
    const bool known = info.suffix().compare(QLatin1String("png"), Qt::CaseInsensitive) == 0 ||
                       info.suffix().compare(QLatin1String("svg"), Qt::CaseInsensitive) == 0;
    const QString base = known ? path.left(path.size() - info.suffix().size() - 1) : path;
    return base + QLatin1Char('.') + suffix;
}

} // namespace

ExportDialog::ExportDialog(const QString &what, const QString &suggestedPath, QSize defaultSize,
                           QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Export %1").arg(what));

    m_path = new QLineEdit(this);
    m_path->setMinimumWidth(360);
    auto *browse = new QPushButton(tr("&Browse…"), this);
    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);

    m_format = new QComboBox(this);
    m_format->addItem(tr("PNG (pixels)"), int(ImageFormat::Png));
    m_format->addItem(tr("SVG (vector, text stays text)"), int(ImageFormat::Svg));

    const auto side = [this](int value) {
        auto *box = new QSpinBox(this);
        box->setRange(kMinSide, kMaxSide);
        box->setSuffix(tr(" px"));
        box->setValue(value);
        return box;
    };
    m_width = side(defaultSize.width());
    m_height = side(defaultSize.height());
    auto *sizeRow = new QHBoxLayout;
    sizeRow->addWidget(m_width);
    sizeRow->addWidget(new QLabel(QStringLiteral("×"), this));
    sizeRow->addWidget(m_height);
    sizeRow->addStretch(1);

    m_scale = new QDoubleSpinBox(this);
    m_scale->setRange(1.0, 4.0);
    m_scale->setSingleStep(0.5);
    m_scale->setDecimals(1);
    m_scale->setSuffix(QStringLiteral("×"));
    m_scale->setValue(2.0);
    m_scale->setToolTip(tr("Pixels per point: 2× is crisp on high-DPI screens and in print"));
    m_pixels = new QLabel(this);

    m_title = new QCheckBox(tr("Include the &title"), this);
    m_title->setChecked(true);
    m_legend = new QCheckBox(tr("Include the &legend"), this);
    m_legend->setChecked(true);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *form = new QFormLayout(this);
    form->addRow(tr("&File:"), pathRow);
    form->addRow(tr("F&ormat:"), m_format);
    form->addRow(tr("&Size:"), sizeRow);
    form->addRow(tr("S&cale:"), m_scale);
    form->addRow(QString(), m_pixels);
    form->addRow(QString(), m_title);
    form->addRow(QString(), m_legend);
    form->addRow(m_buttons);

    connect(m_format, &QComboBox::currentIndexChanged, this, [this] {
        const auto format = ImageFormat(m_format->currentData().toInt());
        if (!m_path->text().isEmpty() && imageFormatFor(m_path->text()) != format)
            m_path->setText(withSuffix(m_path->text(), format));
        update();
    });
    connect(m_path, &QLineEdit::textChanged, this, [this](const QString &text) {
        const int index = m_format->findData(int(imageFormatFor(text)));
        if (index != m_format->currentIndex()) {
            const QSignalBlocker block(m_format);
            m_format->setCurrentIndex(index);
        }
        update();
    });
    for (QSpinBox *box : {m_width, m_height})
        connect(box, &QSpinBox::valueChanged, this, &ExportDialog::update);
    connect(m_scale, &QDoubleSpinBox::valueChanged, this, &ExportDialog::update);

    setPath(suggestedPath);
    update();
}

QString ExportDialog::path() const
{
    return m_path->text().trimmed();
}

ImageOptions ExportDialog::options() const
{
    ImageOptions o;
    o.size = QSize(m_width->value(), m_height->value());
    o.scale = m_scale->value();
    o.title = m_title->isChecked();
    o.legend = m_legend->isChecked();
    return o;
}

void ExportDialog::setPath(const QString &path)
{
    m_path->setText(path);
}

void ExportDialog::setOptions(const ImageOptions &options)
{
    m_width->setValue(options.size.width());
    m_height->setValue(options.size.height());
    m_scale->setValue(options.scale);
    m_title->setChecked(options.title);
    m_legend->setChecked(options.legend);
}

void ExportDialog::browse()
{
    const QString png = tr("PNG image (*.png)");
    const QString svg = tr("SVG image (*.svg)");
    QString filter = imageFormatFor(path()) == ImageFormat::Svg ? svg : png;
    const QString chosen =
        QFileDialog::getSaveFileName(this, windowTitle(), path(), png + QStringLiteral(";;") + svg,
                                     &filter, QFileDialog::DontConfirmOverwrite);
    if (chosen.isEmpty())
        return;
    const bool hasSuffix = !QFileInfo(chosen).suffix().isEmpty();
    setPath(hasSuffix ? chosen
                      : withSuffix(chosen, filter == svg ? ImageFormat::Svg : ImageFormat::Png));
}

void ExportDialog::update()
{
    const bool png = imageFormatFor(path()) == ImageFormat::Png;
    m_scale->setEnabled(png);
    m_pixels->setText(png ? tr("%1 × %2 pixels")
                                .arg(qRound(m_width->value() * m_scale->value()))
                                .arg(qRound(m_height->value() * m_scale->value()))
                          : tr("scales to any size"));
    m_buttons->button(QDialogButtonBox::Save)->setEnabled(!path().isEmpty());
}

void ExportDialog::accept()
{
    const QFileInfo target(path());
    if (target.isDir()) {
        QMessageBox::warning(this, windowTitle(),
                             tr("%1 is a folder; give a file name.").arg(target.filePath()));
        return;
    }
    if (target.exists() &&
        QMessageBox::question(this, windowTitle(),
                              tr("%1 already exists. Replace it?").arg(target.fileName())) !=
            QMessageBox::Yes)
        return;
    QDialog::accept();
}

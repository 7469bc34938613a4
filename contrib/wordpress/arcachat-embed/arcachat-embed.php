<?php
/**
 * Plugin Name: ArcaChat – assistant de la mairie
 * Description: Shortcode [arcachat url="https://chat.example.fr"] : le bouton « Poser une question » qui ouvre l'assistant ArcaChat de la ville. Le site doit être autorisé sur la page « Sur le site de la ville » d'ArcaChat.
 * Version: 1.0.0
 * License: AGPL-3.0-or-later
 */

if (!defined('ABSPATH')) {
    exit;
}

/** The <script> tag of ArcaChat's snippet (the same as its staff page gives), or '' if `url` is not https. */
function arcachat_embed_shortcode($atts)
{
    static $done = false; // one button per page, however many shortcodes
    $atts = shortcode_atts(array(
        'url' => '',
        'position' => 'right',
        'label' => 'Poser une question',
        'background' => '#0b4f8a',
        'color' => '#ffffff',
    ), $atts, 'arcachat');
    $url = rtrim(trim($atts['url']), '/');
    $local = preg_match('#^http://(localhost|[a-z0-9.-]+\.localhost|127\.0\.0\.1)(:\d+)?$#i', $url);
    if ($done || !(preg_match('#^https://[^/?\#]+$#i', $url) || $local)) {
        return '';
    }
    $done = true;
    $data = array(
        'position' => $atts['position'] === 'left' ? 'left' : 'right',
        'label' => $atts['label'],
        'background' => sanitize_hex_color($atts['background']) ?: '#0b4f8a',
        'color' => sanitize_hex_color($atts['color']) ?: '#ffffff',
    );
    $tag = '<script src="' . esc_url($url . '/static/js/embed.js') . '"';
    foreach ($data as $name => $value) {
        $tag .= ' data-' . $name . '="' . esc_attr($value) . '"';
    }
    return $tag . ' async></script>';
}

add_shortcode('arcachat', 'arcachat_embed_shortcode');
